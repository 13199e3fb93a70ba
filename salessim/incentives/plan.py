"""A pay plan: a validated, immutable list of components, evaluated on plain numbers.

:meth:`Plan.pay` gives one period's pay by component for a rep's measures; the ledger
plumbing (:func:`salessim.incentives.payouts`) and the simulation both call it, so each pay
rule has one definition. :func:`marginal_pay` prices a change in a rep's measures (one more
sale of X CNY, one more customer) given the rep's results so far, without pandas.

Components are evaluated in three steps within a period: first the ones that pay on the
measures (commission, bonus, scorecard, team bonus, SPIF, clawback), then the over-target
uplifts (R2.2.2.1) on those, then the gates, which may cancel any of the above.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..regulation import Targets, _as_targets
from .basis import MEASURES, SUM_MEASURES, TEAM_KEYS, PeriodTargets, at_target, problem, value
from .components import (
    BASE_KINDS,
    Bonus,
    Clawback,
    Commission,
    Gate,
    Scorecard,
    Spif,
    TeamBonus,
    Uplift,
)
from .errors import PlanError, problems_of

AnyComponent = Annotated[
    Commission | Bonus | Scorecard | TeamBonus | Spif | Clawback | Uplift | Gate,
    Field(discriminator="kind"),
]

PERIOD_KINDS = ("M", "Q", "Y")
_UPLIFTABLE = ("commission", "bonus", "scorecard", "team_bonus", "spif")
_GATEABLE = ("commission", "bonus", "scorecard", "team_bonus", "spif", "uplift")


class Plan(BaseModel):
    """An incentive plan (激励方案): a name, its intent, a target incentive, and components.

    Parameters
    ----------
    name : str
        The plan's name, written in the ``plan`` column of payouts.
    description : str
        What the plan is for and how it pays, in plain words.
    target_pay : float
        The target incentive as a fraction of the revenue target (default 0.08: 8,000 CNY a
        rep-month against the regulation's 100,000 CNY, R2.2.1.1). Amounts in
        ``unit = "target_pay"`` are multiples of it for the component's period.
    components : sequence of components
        Each a component object or a dict with a ``kind``: ``commission``, ``bonus``,
        ``scorecard``, ``team_bonus``, ``spif``, ``clawback``, ``uplift`` or ``gate``
        (see :mod:`salessim.incentives.components`). Names must be unique.

    Raises
    ------
    PlanError
        Listing every problem, each with its field path and value.

    Examples
    --------
    >>> from salessim.incentives import Plan, Commission
    >>> plan = Plan(name="flat", components=[Commission(rate=0.05)])
    >>> plan.pay("M", {"revenue": 120_000.0})
    {'commission': 6000.0}
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    description: str = ""
    target_pay: float = Field(0.08, gt=0)
    components: tuple[AnyComponent, ...] = Field(min_length=1)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise PlanError(problems_of(exc)) from None

    @model_validator(mode="after")
    def _check_names(self) -> Plan:
        problems: list[str] = []
        first: dict[str, int] = {}
        for i, c in enumerate(self.components):
            if c.name in first:
                problems.append(problem(f"components[{i}].name", c.name,
                                        f"components[{first[c.name]}] has that name already"))
            elif c.name in MEASURES + TEAM_KEYS:
                problems.append(problem(f"components[{i}].name", c.name,
                                        "that is the name of a measure"))
            first.setdefault(c.name, i)
        seen: dict[tuple[str, str], int] = {}
        for i, c in enumerate(self.components):
            if c.kind not in ("uplift", "gate"):
                continue
            allowed = _UPLIFTABLE if c.kind == "uplift" else _GATEABLE
            for j, target in enumerate(c.applies_to):
                where = f"components[{i}].applies_to[{j}]"
                other = self.components[first[target]] if target in first else None
                if other is None:
                    problems.append(problem(where, target, "no component has that name; "
                                            f"names are {', '.join(first)}"))
                elif other.kind not in allowed:
                    problems.append(problem(where, target, f"a {c.kind} cannot apply to a "
                                            f"{other.kind}; it applies to {', '.join(allowed)}"))
                elif other.period != c.period:
                    problems.append(problem(where, target, f"it pays per {other.period}, "
                                            f"this {c.kind} per {c.period}; use one period"))
                elif (c.kind, target) in seen:
                    problems.append(problem(where, target, f"components[{seen[c.kind, target]}] "
                                            f"is a {c.kind} on it already"))
                seen.setdefault((c.kind, target), i)
        if problems:
            raise ValueError("\n".join(problems))
        return self

    # ------------------------------------------------------------------ queries
    @property
    def periods(self) -> tuple[str, ...]:
        """The period kinds the plan pays for, in the order M, Q, Y."""
        return tuple(k for k in PERIOD_KINDS if any(c.period == k for c in self.components))

    def component(self, name: str) -> AnyComponent:
        """The component called ``name``."""
        for c in self.components:
            if c.name == name:
                return c
        raise KeyError(f"plan {self.name!r} has no component {name!r}")

    def gated(self, gate: Gate) -> tuple[str, ...]:
        """The names of the components ``gate`` can cancel."""
        if gate.applies_to:
            return gate.applies_to
        return tuple(c.name for c in self.components
                     if c.period == gate.period and c.kind in _GATEABLE)

    def targets_for(self, period: str, targets: Targets | dict | None = None) -> PeriodTargets:
        """The per-rep targets of period kind ``period`` with this plan's target incentive."""
        return PeriodTargets.of(_as_targets(targets), period, self.target_pay)

    # ------------------------------------------------------------------ pay
    def pay(self, period: str, measures: Mapping[str, float],
            targets: Targets | dict | PeriodTargets | None = None) -> dict[str, float]:
        """One rep's pay for one period of kind ``period``, by component name, in CNY.

        Parameters
        ----------
        period : {"M", "Q", "Y"}
            Only the components paid per this kind of period are evaluated.
        measures : mapping of str to float
            The rep's results in the period (keys as in
            :mod:`salessim.incentives.components`); missing sums count as 0, missing
            rates as undefined.
        targets : Targets, dict, PeriodTargets or None
            The regulation's targets (R2.2.1); None for the defaults.

        Returns
        -------
        dict
            Component name -> amount (negative for clawbacks and shut gates), in plan order.
        """
        t = targets if isinstance(targets, PeriodTargets) else self.targets_for(period, targets)
        comps = [c for c in self.components if c.period == period]
        paid = {c.name: c.pay(measures, t) for c in comps if c.kind in BASE_KINDS}
        uplifts = [c for c in comps if c.kind == "uplift"]
        excess = {n for u in uplifts if u.basis == "excess" for n in u.applies_to}
        reference: dict[str, float] = {}
        if excess:
            ideal = at_target(measures, t)
            reference = {n: self.component(n).pay(ideal, t) for n in excess}
        for u in uplifts:
            paid[u.name] = u.adjust(paid, reference, measures, t)
        for g in comps:
            if g.kind == "gate":
                paid[g.name] = g.adjust(paid, self.gated(g), measures, t)
        return {c.name: paid[c.name] for c in comps}

    # ------------------------------------------------------------------ I/O
    def to_dict(self) -> dict[str, Any]:
        """The plan as plain data; :func:`load_plan` of it gives an equal plan."""
        data = self.model_dump(exclude_none=True)
        data["components"] = [{"kind": c.pop("kind"), **c} for c in data["components"]]
        return data

    def to_toml(self) -> str:
        """The plan as TOML text; :func:`load_plan` of the file gives an equal plan."""
        from .loading import plan_to_toml

        return plan_to_toml(self)


def marginal_pay(plan: Plan, state: Mapping[str, Any], delta: float | Mapping[str, float],
                 targets: Targets | dict | None = None) -> float:
    """The extra pay, in CNY, that a change in a rep's results would earn under ``plan``.

    Used by pay-aware behaviour: "what is one more sale of X CNY worth to me now?" It works
    on plain floats (no pandas) and sums the change over every period kind the plan pays
    for (R2.2.2.1).

    Parameters
    ----------
    plan : Plan
        The plan.
    state : mapping
        The rep's results so far in the current period of each kind, as
        ``{"M": {...}, "Q": {...}, "Y": {...}}`` (missing kinds count as nothing yet), or
        one flat mapping of measures used for every kind.
    delta : float or mapping
        The change: a number is added to ``revenue``; a mapping adds to each named measure
        (for example ``{"revenue": 50_000, "new_customers": 1, "q1_spif": 50_000}``). A
        change in a summed measure also changes the team's sum when the state has one.
    targets : Targets, dict or None
        The regulation's targets; None for the defaults.

    Returns
    -------
    float
        Pay after the change minus pay before it (negative if the change loses pay).

    Examples
    --------
    >>> from salessim.incentives import builtin_plan
    >>> round(marginal_pay(builtin_plan("linear"), {"revenue": 40_000}, 10_000), 6)
    800.0
    """
    change = {"revenue": float(delta)} if isinstance(delta, int | float) else dict(delta)
    by_kind = bool(state) and set(state) <= set(PERIOD_KINDS)
    base = _as_targets(targets)
    total = 0.0
    for kind in plan.periods:
        before = state.get(kind, {}) if by_kind else state
        after = dict(before)
        for key, d in change.items():
            after[key] = value(before, key) + d
            team_key = f"team_{key}"
            if key in SUM_MEASURES and team_key in before:
                after[team_key] = value(before, team_key) + d
        t = plan.targets_for(kind, base)
        total += sum(plan.pay(kind, after, t).values()) - sum(plan.pay(kind, before, t).values())
    return total
