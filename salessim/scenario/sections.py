"""The scenario's sections: one pydantic model per part of the regulated process (R2.1).

Every field documents its unit and bounds; :class:`~salessim.scenario.Scenario` gathers them.
"""

from __future__ import annotations

import datetime as dt
import math
import typing
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

if typing.TYPE_CHECKING:
    from ..careers import PromotionRule

INDUSTRIES = ("manufacturing", "retail", "technology", "services", "other")
SIZES = ("small", "medium", "large")
REGIONS = ("east", "north", "south", "central", "west")
STAGES = ("first_contact", "discovery", "demo", "quote", "negotiation", "contract")


# ---------------------------------------------------------------- field helpers
def _f(default: Any, doc: str, *, inf: bool = False, **bounds: Any) -> Any:
    """A float/int field with bounds; ``doc`` is the one-line comment with its unit."""
    if isinstance(default, float) or bounds.pop("real", False):
        bounds["allow_inf_nan"] = inf
    return Field(default, description=doc, **bounds)


def _mix(default: dict[str, float], doc: str) -> Any:
    return Field(default_factory=lambda: dict(default), description=doc)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_negative_shares(cls, value: Any, info: Any) -> Any:
        if isinstance(value, dict) and info.field_name in _MIX_FIELDS:
            bad = [k for k, v in value.items() if not v >= 0]
            if bad:
                raise ValueError(f"share of {bad[0]!r} is {value[bad[0]]}; shares must be >= 0")
            if value and not sum(value.values()) > 0:
                raise ValueError("shares must not all be 0")
        return value


_MIX_FIELDS = {"industry", "company_size", "region", "level_shares", "behaviour"}


# ---------------------------------------------------------------- sections
class Team(_Section):
    """The sales team: size, working hours and skill (R2.2.2.2, R2.3.2)."""

    reps: int = _f(10, "Number of sales reps (people).", ge=1, le=100_000)
    team_size: int = _f(10, "Reps per team; each team holds its own meetings (people).", ge=1)
    hours_per_day: float = _f(8.0, "Working hours of a rep per working day (hours).", gt=0, le=24)
    day_starts_at: float = _f(9.0, "Clock time the working day starts (hour of day).", ge=0, lt=24)
    skill_sd: float = _f(
        0.12, "Spread of skill between reps: sd of log skill; 0 makes all reps equal (-).", ge=0,
        le=3,
    )
    level_shares: dict[str, float] = _mix(
        {"sales": 0.7, "senior": 0.2, "lead": 0.1},
        "Shares of levels sales/senior/lead; the most skilled reps hold the higher levels (-).",
    )

    @field_validator("level_shares")
    @classmethod
    def _levels(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(v) - {"sales", "senior", "lead"})
        if unknown:
            raise ValueError(f"unknown level {unknown[0]!r}; levels are sales, senior, lead")
        return v

    @field_validator("day_starts_at")
    @classmethod
    def _day(cls, v: float, info: Any) -> float:
        hours = info.data.get("hours_per_day", 8.0)
        if v + hours > 24:
            raise ValueError(f"a day starting at {v} with {hours} working hours ends after 24:00")
        return v


class Calendar(_Section):
    """Start, length and working-day calendar of the simulation."""

    start: dt.date = Field(dt.date(2026, 1, 1), description="First day simulated (a TOML date).")
    months: int = _f(12, "Length of the simulation (calendar months).", ge=1, le=240)
    holidays: Literal["china", "weekends"] = Field(
        "china",
        description='"china": China\'s public holidays and adjusted working days; '
        '"weekends": Monday to Friday.',
    )


class _Channel(_Section):
    cost_per_lead: float = _f(0.0, "Cost of one lead (CNY/lead).", ge=0)
    industry: dict[str, float] = _mix(
        {"manufacturing": 0.3, "retail": 0.2, "technology": 0.2, "services": 0.2, "other": 0.1},
        "Industry mix of the channel's leads (shares).",
    )
    company_size: dict[str, float] = _mix(
        {"small": 0.6, "medium": 0.3, "large": 0.1}, "Company-size mix (shares)."
    )
    region: dict[str, float] = _mix(
        {"east": 0.35, "north": 0.2, "south": 0.25, "central": 0.1, "west": 0.1},
        "Region mix (shares).",
    )


class WebChannel(_Channel):
    """Leads from the company site, social media and forums (R2.1.1.2)."""

    rate_per_day: float = _f(28.5, "Mean leads per working day, Poisson (leads/working day).",
                             ge=0)
    cost_per_lead: float = _f(60.0, "Advertising cost of one web lead (CNY/lead).", ge=0)
    industry: dict[str, float] = _mix(
        {"manufacturing": 0.25, "retail": 0.2, "technology": 0.2, "services": 0.2, "other": 0.15},
        "Industry mix of web leads (shares).",
    )
    company_size: dict[str, float] = _mix(
        {"small": 0.65, "medium": 0.27, "large": 0.08}, "Company-size mix of web leads (shares)."
    )


class TradeShow(_Section):
    """One trade show (展会)."""

    date: dt.date = Field(description="First day of the show (a TOML date).")
    leads: float = _f(100.0, "Expected leads collected at the show (leads).", ge=0)
    days: int = _f(3, "Working days over which the show's leads reach the CRM (days).", ge=1)


class TradeShowChannel(_Channel):
    """Leads met in person at trade shows, arriving in dated bursts (R2.1.1.2)."""

    rate_per_day: float = _f(0.0, "Background rate of trade-show leads (leads/working day).", ge=0)
    shows: list[TradeShow] = Field(
        default_factory=lambda: [
            TradeShow(date=dt.date(2026, 3, 18), leads=300.0, days=5),
            TradeShow(date=dt.date(2026, 6, 10), leads=300.0, days=5),
            TradeShow(date=dt.date(2026, 9, 16), leads=300.0, days=5),
            TradeShow(date=dt.date(2026, 11, 11), leads=300.0, days=5),
        ],
        description="The shows: date, expected leads, working days of arrival.",
    )
    cost_per_lead: float = _f(150.0, "Booth and travel cost per trade-show lead (CNY/lead).",
                              ge=0)
    industry: dict[str, float] = _mix(
        {"manufacturing": 0.4, "retail": 0.15, "technology": 0.25, "services": 0.15, "other": 0.05},
        "Industry mix of trade-show leads (shares).",
    )
    company_size: dict[str, float] = _mix(
        {"small": 0.45, "medium": 0.38, "large": 0.17},
        "Company-size mix of trade-show leads (shares).",
    )


class ReferralChannel(_Channel):
    """Leads referred by satisfied customers (R2.1.1.2): good after-sales work feeds the funnel."""

    probability: float = _f(
        0.12, "Chance that a feedback call or revisit of a satisfied customer yields a referral "
        "(-).", ge=0, le=1,
    )
    min_satisfaction: float = _f(0.6, "Satisfaction a customer needs to refer (0-1).", ge=0, le=1)
    delay_days: float = _f(8.0, "Mean time from the visit to the referred lead (working days).",
                           ge=0)
    cost_per_lead: float = _f(200.0, "Referral reward paid per referred lead (CNY/lead).", ge=0)
    industry: dict[str, float] = _mix(
        {"manufacturing": 0.35, "retail": 0.2, "technology": 0.2, "services": 0.2, "other": 0.05},
        "Industry mix of referred leads (shares).",
    )


class Channels(_Section):
    """Lead channels (R2.1.1.2)."""

    web: WebChannel = Field(default_factory=WebChannel)
    trade_show: TradeShowChannel = Field(default_factory=TradeShowChannel)
    referral: ReferralChannel = Field(default_factory=ReferralChannel)


class Leads(_Section):
    """Attributes of leads common to all channels (R2.1.1.3)."""

    budget_median: dict[str, float] = Field(
        default_factory=lambda: {"small": 6000.0, "medium": 15000.0, "large": 40000.0},
        description="Median budget by company size (CNY).",
    )
    budget_sd: float = _f(0.8, "Spread of budgets: sd of log budget (-).", ge=0, le=5)

    @field_validator("budget_median")
    @classmethod
    def _positive(cls, v: dict[str, float]) -> dict[str, float]:
        for k, x in v.items():
            if not (x > 0 and math.isfinite(x)):
                raise ValueError(f"budget of {k!r} is {x}; budgets must be > 0")
        return v


class Scoring(_Section):
    """The lead scoring system (评分体系, R2.1.1.3): points per criterion, weights, threshold.

    A lead's score is 100 times the weighted mean of its points (each in [0, 1]) for
    industry, company size, region and budget; leads scoring at least ``threshold`` are
    qualified and go to a rep, the others are disqualified at once.
    """

    threshold: float = _f(65.0, "Score a lead needs to be qualified (points, 0-100).", ge=0,
                          le=100)
    weights: dict[str, float] = Field(
        default_factory=lambda: {"industry": 0.3, "company_size": 0.2, "region": 0.2,
                                 "budget": 0.3},
        description="Weights of the criteria industry, company_size, region, budget (-).",
    )
    industry: dict[str, float] = Field(
        default_factory=lambda: {"manufacturing": 1.0, "retail": 0.7, "technology": 0.9,
                                 "services": 0.6, "other": 0.2},
        description="Points per industry: fit with the product (0-1).",
    )
    company_size: dict[str, float] = Field(
        default_factory=lambda: {"small": 0.7, "medium": 1.0, "large": 0.8},
        description="Points per company size (0-1).",
    )
    region: dict[str, float] = Field(
        default_factory=lambda: {"east": 1.0, "north": 0.8, "south": 0.9, "central": 0.6,
                                 "west": 0.4},
        description="Points per region: reach of service and delivery (0-1).",
    )
    budget_full: float = _f(8000.0, "Budget that earns full budget points; less earns a "
                            "proportional share (CNY).", gt=0)
    fit_effect: float = _f(
        1.0, "How much a high score raises every conversion: a lead scoring 100 converts as if "
        "given 1 + fit_effect/2 attempts, one scoring 0 as 1 - fit_effect/2 (-).", ge=0, le=1.99,
    )

    @field_validator("weights")
    @classmethod
    def _weights(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(v) - {"industry", "company_size", "region", "budget"})
        if unknown:
            raise ValueError(f"unknown criterion {unknown[0]!r}; criteria are industry, "
                             "company_size, region, budget")
        if any(not x >= 0 for x in v.values()) or not sum(v.values()) > 0:
            raise ValueError("weights must be >= 0 and not all 0")
        return v

    @field_validator("industry", "company_size", "region")
    @classmethod
    def _points(cls, v: dict[str, float]) -> dict[str, float]:
        for k, x in v.items():
            if not 0 <= x <= 1:
                raise ValueError(f"points of {k!r} are {x}; points must lie in [0, 1]")
        return v


class Stage(_Section):
    """One step of the pipeline: rep time, conversion and the customer's lead time."""

    hours: float = _f(0.5, "Rep time per task, mean (hours).", gt=0)
    conversion: float = _f(0.8, "Chance the lead moves on after this step (-).", ge=0, le=1)
    lag_days: float = _f(2.0, "Mean customer lead time before this step can be held, "
                         "exponential (working days).", ge=0)


def _stage(hours: float, conversion: float, lag: float) -> Any:
    return Field(default_factory=lambda: Stage(hours=hours, conversion=conversion, lag_days=lag))


class Process(_Section):
    """The pipeline (R2.1.2, R2.1.3): first contact, discovery, demo, quote, negotiation,
    contract. Each step takes rep time; a lead moves on with the step's conversion, raised
    by the rep's skill and the lead's score, after the customer's lead time for the next
    step. First-contact conversion falls as the response time grows (R2.1.2.1)."""

    assignment: Literal["round_robin", "pool"] = Field(
        "round_robin",
        description='"round_robin": qualified leads are dealt to reps in turn; "pool": they '
        "wait in one shared queue and the first free rep takes the oldest.",
    )
    duration: Literal["lognormal", "exponential", "fixed"] = Field(
        "lognormal", description="Distribution of task times around their mean."
    )
    duration_cv: float = _f(0.5, "Coefficient of variation of lognormal task times (-).", ge=0,
                            le=5)
    skill_speed: float = _f(0.5, "Elasticity of task time to skill: time / skill^this (-).",
                            ge=0, le=3)
    response_days: float = _f(
        3.0, "First-contact conversion falls by a factor e per this many working days of delay "
        "(working days).", gt=0, inf=True,
    )
    first_contact: Stage = _stage(0.2, 0.6, 0.0)
    discovery: Stage = _stage(0.6, 0.6, 2.0)
    demo: Stage = _stage(0.75, 0.6, 3.0)
    quote: Stage = _stage(0.3, 0.85, 2.0)
    negotiation: Stage = _stage(0.4, 0.57, 3.0)
    contract: Stage = _stage(0.25, 1.0, 2.0)


class Pricing(_Section):
    """Quote, discount and negotiation (R2.1.3): list price by segment, discount vs win chance."""

    list_price: dict[str, float] = Field(
        default_factory=lambda: {"small": 4000.0, "medium": 7000.0, "large": 13000.0},
        description="Mean list price of a first order by company size (CNY).",
    )
    price_sd: float = _f(0.25, "Spread of list prices: sd of log price (-).", ge=0, le=3)
    standard_discount: float = _f(0.05, "Discount offered in every quote (fraction).", ge=0,
                                  lt=1)
    concession_max: float = _f(0.06, "Largest extra discount conceded in negotiation, drawn "
                               "uniformly (fraction).", ge=0, lt=1)
    max_discount: float = _f(0.25, "No quote goes above this discount (fraction).", ge=0, lt=1)
    discount_effect: float = _f(
        4.0, "Each 1% of discount adds this many % to the attempts at negotiation: a 10% "
        "discount converts like 1 + 10*effect/100 attempts (-).", ge=0,
    )
    repeat_price_factor: float = _f(0.7, "Size of a repeat order relative to the first order's "
                                    "list price (-).", gt=0)
    repeat_discount: float = _f(0.03, "Discount on repeat orders (fraction).", ge=0, lt=1)

    @field_validator("list_price")
    @classmethod
    def _prices(cls, v: dict[str, float]) -> dict[str, float]:
        for k, x in v.items():
            if not (x > 0 and math.isfinite(x)):
                raise ValueError(f"list price of {k!r} is {x}; prices must be > 0")
        return v


class Fulfilment(_Section):
    """Order execution by production and logistics, shared by the team (R2.1.4.1)."""

    capacity_per_day: float = _f(
        16.0, "Orders the delivery team can start per working day; inf for no limit. With "
        "several sales teams, each has a delivery line with its share, in proportion to "
        "its reps (orders/working day).", gt=0, inf=True,
    )
    lead_time_days: float = _f(5.0, "Time from the start of work on an order to delivery "
                               "(working days).", ge=0)
    delay_penalty: float = _f(0.01, "Satisfaction lost per working day an order waited in the "
                              "queue (1/working day).", ge=0, le=1)


class AfterSales(_Section):
    """Feedback, revisits, satisfaction, surveys, churn and repeat orders (R2.1.4.2, R2.1.4.3,
    R2.3.1.3, R2.2.1.2).

    Satisfaction is a number in [0, 1]. It starts at signing, drops with delivery delay,
    rises with each feedback call and revisit, and between contacts drifts towards
    ``satisfaction_floor`` with the given half-life. The churn hazard and the repeat-order
    rate are interpolated linearly between their values at satisfaction 0 and 1.
    """

    feedback_delay_days: float = _f(2.0, "Time after delivery when the feedback call is due "
                                    "(working days).", ge=0)
    feedback_hours: float = _f(0.25, "Rep time of a feedback call (hours).", gt=0)
    feedback_gain: float = _f(0.3, "Share of the gap to full satisfaction closed by a feedback "
                              "call (-).", ge=0, le=1)
    revisit_interval_days: float = _f(45.0, "Time between revisits of a customer; 0 for no "
                                      "revisits (working days).", ge=0)
    revisit_hours: float = _f(0.3, "Rep time of a revisit (hours).", gt=0)
    revisit_gain: float = _f(0.35, "Share of the gap to full satisfaction closed by a revisit "
                             "(-).", ge=0, le=1)
    satisfaction_mean: float = _f(0.7, "Mean satisfaction at signing (0-1).", ge=0, le=1)
    satisfaction_sd: float = _f(0.12, "Spread of satisfaction at signing (0-1).", ge=0, le=1)
    satisfaction_floor: float = _f(0.25, "Level satisfaction drifts to without contact (0-1).",
                                   ge=0, le=1)
    satisfaction_half_life_days: float = _f(
        30.0, "Half-life of that drift (working days).", gt=0, inf=True
    )
    churn_unsatisfied: float = _f(0.0052, "Churn hazard at satisfaction 0 (1/working day).",
                                  ge=0, le=1)
    churn_satisfied: float = _f(0.00013, "Churn hazard at satisfaction 1 (1/working day).",
                                ge=0, le=1)
    repeat_unsatisfied: float = _f(0.0, "Repeat-order rate at satisfaction 0 "
                                   "(orders/working day).", ge=0, le=1)
    repeat_satisfied: float = _f(0.0035, "Repeat-order rate at satisfaction 1 "
                                 "(orders/working day).", ge=0, le=1)
    repeat_hours: float = _f(0.4, "Rep time to quote and sign a repeat order (hours).", gt=0)
    repeat_conversion: float = _f(0.9, "Chance a repeat request becomes a deal (-).", ge=0, le=1)
    survey_probability: float = _f(0.5, "Chance a feedback call or revisit includes a "
                                   "satisfaction survey (-).", ge=0, le=1)


class Payments(_Section):
    """Invoices, payment behaviour and collection calls (R2.2.1.3, 回款).

    Each invoice's customer pays on time, late, partly (a share on time, the rest late) or
    never. An invoice still unpaid ``grace_days`` after its due date puts a collection
    call on the rep's list; a successful call makes the customer pay soon after. An
    unhappy customer may hold back a payment it would have made until it is chased
    (``withhold_unsatisfied``), so after-sales care also brings cash in.
    """

    terms_days: int = _f(30, "Payment terms: due date after the invoice date (calendar days).",
                         ge=0, le=3650)
    installments: int = _f(1, "Invoices per deal, all issued at signing, due terms, 2 x terms, "
                           "... after it (invoices).", ge=1, le=24)
    behaviour: dict[str, float] = Field(
        default_factory=lambda: {"on_time": 0.67, "late": 0.22, "partial": 0.05, "never": 0.06},
        description="Shares of invoices paid on_time, late, partial, never (shares).",
    )
    late_mean_days: float = _f(25.0, "Mean delay after the due date of a late payment "
                               "(working days).", ge=0)
    partial_share: float = _f(0.5, "Share of the amount a partial payer pays on time (-).",
                              gt=0, lt=1)
    grace_days: float = _f(3.0, "Time after the due date before a collection call is due "
                           "(working days).", ge=0)
    call_hours: float = _f(0.15, "Rep time of a collection call (hours).", gt=0)
    call_success: float = _f(0.35, "Chance a collection call gets a promise that is kept (-).",
                             ge=0, le=1)
    pay_after_call_days: float = _f(4.0, "Mean time from a successful call to payment "
                                    "(working days).", ge=0)
    recall_days: float = _f(10.0, "Time before calling again after an unsuccessful call "
                            "(working days).", gt=0)
    max_calls: int = _f(3, "Collection calls per invoice at most (calls).", ge=0)
    withhold_unsatisfied: float = _f(
        0.0, "Assumption: chance that a customer at satisfaction 0 holds back a payment when "
        "it would pay, and then pays only when chased; it falls in proportion to "
        "satisfaction, to none at full satisfaction; 0 for none (-).", ge=0, le=1)

    @field_validator("behaviour")
    @classmethod
    def _kinds(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(v) - {"on_time", "late", "partial", "never"})
        if unknown:
            raise ValueError(f"unknown payer kind {unknown[0]!r}; kinds are on_time, late, "
                             "partial, never")
        return v


class Teamwork(_Section):
    """Team meetings and knowledge sharing (R2.3.2.1, R2.3.2.3)."""

    meeting_interval_days: float = _f(5.0, "Time between team meetings; 0 for none "
                                      "(working days).", ge=0)
    meeting_hours: float = _f(1.0, "Length of a team meeting (hours).", gt=0)
    skill_gain: float = _f(0.002, "Relative skill gained by each rep per meeting (-).", ge=0,
                           le=1)


class Decision(_Section):
    """How reps choose their work, the discount and when to close (R2.1, R2.2.2.1).

    ``pay_aware`` blends the regulation's procedure with the pay plan by
    ``incentive_sensitivity``: at 0 it is exactly the procedure, at 1 pay alone decides (see
    :mod:`salessim.model.rules`). ``procedure`` follows the procedure and ignores pay.
    """

    rule: str = Field("pay_aware", description="Name of the decision rule: pay_aware or "
                      "procedure.")
    incentive_sensitivity: float = _f(0.0, "Weight of expected pay against the procedure in "
                                      "the rule's choices (0-1).", ge=0, le=1)
    pull_discount: float = _f(
        0.05, "Extra discount a pay-aware rep offers a customer to meet and sign at once "
        "rather than after its lead time, to close within the pay period (fraction).", ge=0,
        lt=1,
    )
    hold_days: float = _f(
        0.0, "How long customers wait for a pay-aware rep who puts them off to the next pay "
        "period: within this many working days of a period's end a rep may hold a ready "
        "deal over it, or put a meeting off to it; further from the end a lead put off goes "
        "cold. 0 (the default): customers do not wait (working days).", ge=0,
    )

    @field_validator("rule")
    @classmethod
    def _known(cls, v: str) -> str:
        from ..model.rules import RULES

        if v not in RULES:
            raise ValueError(f"unknown rule {v!r}; rules are {', '.join(sorted(RULES))}")
        return v


class Careers(_Section):
    """Promotion, coaching, recognition and training (R2.2.2.2, R2.2.2.3); all off by default.

    Promotion applies :class:`salessim.careers.PromotionRule` at each quarter's end. Coaching
    by team leads, the effort after recognition and training are assumptions of this model,
    not numbers from the regulation: each has its own parameters and does nothing at 0.
    """

    promotion: bool = Field(False, description="Apply the promotion rule at each quarter's end "
                            "and record promotions in the ledger (R2.2.2.2).")
    quarters_met_needed: int = _f(3, "Quarters with the target met, of the last window, that "
                                  "make a sales rep senior (quarters).", ge=1)
    window: int = _f(4, "Quarters looked back for senior (quarters).", ge=1)
    senior_to_lead_quarters: int = _f(4, "Quarters in a row met as a senior that make a team "
                                      "lead (quarters).", ge=1)
    criteria: list[str] = Field(
        default_factory=lambda: ["revenue"],
        description="Targets that must all be met for a quarter to count: revenue, "
        "new_customers, retention, collection (R2.2.1).",
    )
    coaching_interval_days: float = _f(0.0, "Assumption: time between a team lead's coaching "
                                       "sessions; 0 for none (working days).", ge=0)
    coaching_hours: float = _f(1.0, "Length of a coaching session, the lead's time "
                               "(hours).", gt=0)
    coaching_gain: float = _f(0.004, "Relative skill each other member of the lead's team "
                              "gains per coaching session (-).", ge=0, le=1)
    recognition_share: float = _f(0.0, "Assumption: share of the team recognised at each "
                                  "quarter's end, the best by attainment among those on "
                                  "target; 0 for none (-).", ge=0, le=1)
    recognition_effort: float = _f(0.1, "Assumption: rise in a recognised rep's working pace "
                                   "(tasks take 1 / (1 + this) of their time) (-).", ge=0,
                                   le=1)
    recognition_days: float = _f(20.0, "How long that rise lasts (working days).", ge=0)
    training_interval_days: float = _f(0.0, "Assumption: time between training sessions "
                                       "for every rep; 0 for none (working days).", ge=0)
    training_hours: float = _f(2.0, "Length of a training session (hours).", gt=0)
    training_gain: float = _f(0.005, "Relative skill gained per training session (-).", ge=0,
                              le=1)

    @field_validator("criteria")
    @classmethod
    def _criteria(cls, v: list[str]) -> list[str]:
        allowed = ("revenue", "new_customers", "retention", "collection")
        bad = [c for c in v if c not in allowed]
        if bad:
            raise ValueError(f"unknown criterion {bad[0]!r}; criteria are {', '.join(allowed)}")
        if not v:
            raise ValueError("give at least one criterion")
        return v

    def promotion_rule(self) -> PromotionRule:
        """The :class:`salessim.careers.PromotionRule` these parameters describe."""
        from ..careers import PromotionRule

        return PromotionRule(quarters_met_needed=self.quarters_met_needed, window=self.window,
                             senior_to_lead_quarters=self.senior_to_lead_quarters,
                             criteria=tuple(self.criteria))
