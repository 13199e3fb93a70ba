"""The built-in plans, calibrated to one cost at target.

Each built-in plan pays a rep who is exactly at 100% of every target (R2.2.1) exactly the
target incentive: ``target_pay`` x the revenue target (8,000 CNY a rep-month, 24,000 a
quarter, by default). So comparisons between them are about the shape of pay, not about how
generous it is.
"""

from __future__ import annotations

from .components import Bonus, Commission, Scorecard, Uplift, Weights
from .errors import PlanError
from .plan import Plan

BUILTIN_PLANS: tuple[str, ...] = (
    "linear", "collected", "quota_bonus", "accelerator", "capped", "regulation",
)


def builtin_plan(name: str, target_pay: float = 0.08) -> Plan:
    """A built-in plan, calibrated to pay ``target_pay`` x the revenue target at 100%.

    Parameters
    ----------
    name : str
        ``linear``: a flat commission of ``target_pay`` on booked revenue, paid monthly.
        ``collected``: the same rate on cash collected instead.
        ``quota_bonus``: a lump sum of one quarter's target incentive when quarterly revenue
        reaches the quarterly target, nothing below.
        ``accelerator``: ``target_pay`` on quarterly revenue up to the target, twice that on
        the part above.
        ``capped``: the flat rate, with each quarter's commission capped at 150% of the
        quarter's target incentive.
        ``regulation``: the regulation's own plan (R2.2.2.1): a quarterly bonus in
        proportion to results on R2.2.1's indicators (revenue 40%, new customers 20%,
        retention 20%, collection rate 20%, each counted up to 150% of target), with the
        over-target uplift (``Targets.uplift``, 25%) on the part above the target bonus.
    target_pay : float
        The target incentive as a fraction of the revenue target (default 0.08).

    Returns
    -------
    Plan

    Examples
    --------
    >>> builtin_plan("capped").pay("Q", {"revenue": 600_000.0})
    {'commission': 36000.0}
    """
    p = float(target_pay)
    if name == "linear":
        return Plan(
            name=name, target_pay=p,
            description=f"Flat commission of {p:.0%} on booked revenue, paid monthly. The "
            "baseline: every yuan is worth the same whenever it is signed, so there is no "
            "reason to time deals; collection and retention earn nothing.",
            components=[Commission(period="M", measure="revenue", rate=p)])
    if name == "collected":
        return Plan(
            name=name, target_pay=p,
            description=f"Flat commission of {p:.0%} on cash collected, paid monthly. Pay "
            "waits for the customer's payment, so chasing invoices pays and a discount or an "
            "unpaid deal does not.",
            components=[Commission(period="M", measure="collected", rate=p)])
    if name == "quota_bonus":
        return Plan(
            name=name, target_pay=p,
            description="A lump sum of one quarter's target incentive when quarterly revenue "
            "reaches the quarterly target, nothing below it. Studies the end-of-quarter "
            "push and the giving up of reps who cannot make it.",
            components=[Bonus(period="Q", measure="revenue", levels=[[1.0, 1.0]])])
    if name == "accelerator":
        return Plan(
            name=name, target_pay=p,
            description=f"Commission of {p:.0%} on quarterly revenue up to the target and "
            f"{2 * p:.0%} on the part above it. Rewards selling past the target; invites "
            "moving deals into the quarter where they pay most.",
            components=[Commission(period="Q", measure="revenue",
                                   tiers=[[0.0, p], [1.0, 2 * p]])])
    if name == "capped":
        return Plan(
            name=name, target_pay=p,
            description=f"Commission of {p:.0%} on quarterly revenue, capped at 150% of the "
            "quarter's target incentive (reached at 150% attainment). Bounds the cost; "
            "invites holding deals back once the cap is reached.",
            components=[Commission(period="Q", measure="revenue", rate=p, cap=1.5)])
    if name == "regulation":
        return Plan(
            name=name, target_pay=p,
            description="The regulation's plan (R2.2.2.1): a quarterly bonus in proportion "
            "to results on revenue (40%), new customers (20%), retention (20%) and "
            "collection rate (20%) against their targets (R2.2.1), each counted up to 150%; "
            "the bonus above the target bonus is raised by the over-target uplift (25%).",
            components=[
                Scorecard(period="Q", cap=1.5, target_bonus=1.0,
                          weights=Weights(revenue=0.4, new_customers=0.2, retention=0.2,
                                          collection=0.2)),
                Uplift(period="Q", applies_to=["scorecard"], basis="excess"),
            ])
    raise PlanError([f"{name!r} is not allowed: built-in plans are {', '.join(BUILTIN_PLANS)}"],
                    source="unknown plan")
