"""Careers: the promotion path (晋升通道, R2.2.2.2) as a rule that can be applied to results.

The regulation says that outstanding salespeople can move up to senior sales or team lead
(R2.2.2.2); it does not say what counts as outstanding. The regulation leaves this open, so
the product uses a documented rule of its own, :class:`PromotionRule`, which a company can
change:

- a sales rep (level ``sales``) who met the target in at least ``quarters_met_needed`` of the
  last ``window`` quarters is due for ``senior`` (by default 3 of the last 4);
- a senior who met it in each of the last ``senior_to_lead_quarters`` quarters as a senior is
  due for team ``lead`` (by default 4: a full year of sustained results);
- a lead is at the top of the path.

A quarter counts as met when every indicator named in ``criteria`` reached its target, as the
``meets_*`` columns of :func:`salessim.kpi.scorecard` say (R2.2.1). By default only revenue
counts (R2.2.1.1); add ``"collection"`` or ``"retention"`` to promote only reps whose customers
pay and stay.

Why a window and not a single quarter: deals slip from one quarter into the next, so one bad
quarter should not block a good rep, while one lucky quarter should not promote an average
one. Requiring every quarter for team lead asks more of the people who will coach others.

:func:`promotion_due` applies the rule to one rep's quarterly results, given as scorecard rows
or as plain True/False values (so that a simulation can apply it at each quarter's end
without pandas).
Non-material incentives (非物质激励, R2.2.2.3), recognition and training, are not promotions
and are not decided here.

Examples
--------
>>> from salessim.careers import PromotionRule, promotion_due
>>> promotion_due([True, False, True, True])          # 3 of the last 4 quarters met
'senior'
>>> promotion_due([True, True, True, False, False])   # 2 of the last 4
>>> promotion_due([True] * 4, level="senior")
'lead'
>>> promotion_due([True, True], PromotionRule(quarters_met_needed=2, window=2))
'senior'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .ledger import LEVELS

__all__ = ["PromotionRule", "promotion_due", "quarters_met"]

Criterion = Literal["revenue", "new_customers", "retention", "collection"]
_QUARTER = re.compile(r"\d{4}Q[1-4]")


class PromotionRule(BaseModel):
    """When a rep is due for promotion (R2.2.2.2); the regulation leaves the rule open.

    Parameters
    ----------
    quarters_met_needed : int
        Quarters with the target met, within the last ``window``, that make a sales rep
        due for senior. Default 3.
    window : int
        How many of the most recent quarters are looked at. Default 4.
    senior_to_lead_quarters : int
        Consecutive most recent quarters, all met, that make a senior due for team lead.
        Default 4.
    criteria : tuple of str
        The indicators that must all reach their target for a quarter to count as met:
        ``revenue``, ``new_customers``, ``retention``, ``collection`` (R2.2.1). Default
        ``("revenue",)``.

    Raises
    ------
    pydantic.ValidationError
        A ``ValueError`` naming the field and the value, e.g. when ``quarters_met_needed``
        exceeds ``window``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    quarters_met_needed: int = Field(3, ge=1)
    window: int = Field(4, ge=1)
    senior_to_lead_quarters: int = Field(4, ge=1)
    criteria: tuple[Criterion, ...] = Field(("revenue",), min_length=1)

    @model_validator(mode="after")
    def _needed_fits_in_window(self) -> PromotionRule:
        if self.quarters_met_needed > self.window:
            raise ValueError(f"quarters_met_needed {self.quarters_met_needed} cannot exceed "
                             f"window {self.window}: nobody could ever be promoted")
        return self


def quarters_met(history: pd.DataFrame | Sequence[bool],
                 rule: PromotionRule | None = None) -> list[bool]:
    """Whether each quarter of a rep's history counts as met under ``rule``, oldest first.

    Parameters
    ----------
    history : pandas.DataFrame or sequence of bool
        One rep's quarterly scorecard rows (:func:`salessim.kpi.scorecard` with
        ``period="Q"``, filtered to the rep), in any order: a ``period`` column of quarter
        labels such as ``2026Q1`` and a ``meets_<criterion>`` column for each criterion of
        the rule. Or, already judged, one True/False per quarter, oldest first.
    rule : PromotionRule, optional
        The rule; the default rule when None.

    Returns
    -------
    list of bool
        One value per quarter, oldest first.

    Raises
    ------
    ValueError
        For rows of several reps, a missing column, a period that is not a quarter, a quarter
        given twice, or a value that is not True/False; the message names it.
    """
    rule = PromotionRule() if rule is None else rule
    if not isinstance(history, pd.DataFrame):
        if isinstance(history, str | bytes) or not isinstance(history, Sequence | np.ndarray):
            raise ValueError(f"history: expected a scorecard DataFrame or a list of True/False "
                             f"per quarter, got {type(history).__name__}")
        met = list(history)
        for i, value in enumerate(met):
            if not isinstance(value, bool | np.bool_):
                raise ValueError(f"history[{i}]: {value!r} is not allowed: expected True or "
                                 "False (was the target met that quarter?)")
        return [bool(v) for v in met]
    columns = ["period", *(f"meets_{c}" for c in rule.criteria)]
    missing = [c for c in columns if c not in history.columns]
    if missing:
        raise ValueError(f"history: no column {', '.join(missing)} (its columns: "
                         f"{', '.join(map(str, history.columns))}); pass the rep's rows of "
                         "kpi.scorecard(ledger, period='Q')")
    if "rep_id" in history.columns and history["rep_id"].nunique() > 1:
        reps = ", ".join(sorted(map(str, history["rep_id"].unique())))
        raise ValueError(f"history: rows of several reps ({reps}); pass one rep's rows")
    periods = history["period"].astype(str)
    bad = periods[~periods.map(lambda p: bool(_QUARTER.fullmatch(p)))]
    if len(bad):
        raise ValueError(f"history: period {bad.iloc[0]!r} is not a quarter such as '2026Q1'; "
                         "use the quarterly scorecard (period='Q')")
    twice = periods[periods.duplicated()]
    if len(twice):
        raise ValueError(f"history: quarter {twice.iloc[0]!r} appears more than once")
    order = np.argsort(periods.to_numpy(), kind="stable")
    flags = history[columns[1:]].iloc[order]
    for column in flags.columns:
        if flags[column].dtype != bool:
            raise ValueError(f"history: column {column} must hold True/False values, "
                             f"not {flags[column].dtype}")
    return flags.all(axis=1).tolist()


def promotion_due(history: pd.DataFrame | Sequence[bool], rule: PromotionRule | None = None,
                  level: str = "sales") -> str | None:
    """The level a rep is due for after the latest quarter of ``history``, or None (R2.2.2.2).

    Parameters
    ----------
    history : pandas.DataFrame or sequence of bool
        The rep's quarters at the current level, as for :func:`quarters_met`. For a senior,
        pass the quarters since the promotion to senior: quarters as a sales rep do not count
        towards team lead.
    rule : PromotionRule, optional
        The rule; the default (3 of the last 4 quarters for senior, 4 in a row as senior for
        lead, on revenue) when None.
    level : {"sales", "senior", "lead"}
        The rep's current level.

    Returns
    -------
    str or None
        ``"senior"`` or ``"lead"`` when the rep is due for it, None otherwise (a lead is never
        due: it is the top of the path).

    Raises
    ------
    ValueError
        For an unknown level or a history :func:`quarters_met` cannot read.
    """
    rule = PromotionRule() if rule is None else rule
    if level not in LEVELS:
        raise ValueError(f"level {level!r} is not allowed: levels are {', '.join(LEVELS)}")
    met = quarters_met(history, rule)
    if level == "sales":
        return "senior" if sum(met[-rule.window:]) >= rule.quarters_met_needed else None
    if level == "senior":
        recent = met[-rule.senior_to_lead_quarters:]
        return "lead" if len(recent) == rule.senior_to_lead_quarters and all(recent) else None
    return None
