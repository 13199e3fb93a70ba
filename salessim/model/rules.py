"""How a rep chooses the next task, the discount and when to close: the decision rules.

A rep keeps one queue per kind of task (its CRM to-do list). Each time it finishes a task,
it asks the scenario's decision rule which kind to work on next; within a kind it takes the
item that has been ready longest. A rule is any object with the two methods of
:class:`DecisionRule`; :data:`RULES` maps the names a scenario may give in
``decision.rule`` to rule classes, each built with ``Rule(scenario)``.

The procedure rule (``"procedure"``) follows the regulation's order of priorities:

1. a scheduled team meeting once its time has come (R2.3.2.1);
2. first contact with a new lead, at once (第一时间, R2.1.2.1);
3. closing what is close: contract signing, then negotiation, then repeat orders from
   existing customers (R2.1.3.2, R2.1.3.3);
4. the feedback call after a delivery, promptly (R2.1.4.2);
5. collection calls on overdue invoices (R2.2.1.3);
6. quotes, demos and discovery meetings, later stages first (R2.1.3.1, R2.1.2.3, R2.1.2.2);
7. revisits that have fallen due (R2.1.4.3).

It offers every quote the standard discount and concedes a random extra amount in
negotiation, up to ``pricing.concession_max`` and never above ``pricing.max_discount``.

The pay-aware rule (``"pay_aware"``, the default) weighs pay against that procedure by
``s = decision.incentive_sensitivity``. Each rep knows its plan (激励方案, R2.2.2.1), what it
has booked in each pay period so far and the working days left; it expects to sell at the
target's pace for the rest, give or take luck, and a result is worth to it what the result
adds to its expected pay in the period it will fall in (:mod:`salessim.model.outlook`).
Its pay value of a task is the task's expected pay per hour as a share of the plan's target
pay per hour, at most 1; a feedback call or revisit is worth what the satisfaction it adds
brings before the end of the rep's next pay period (the end of its outlook): extra repeat
orders, and customers kept, each worth its repeat orders until then and, where the plan
pays on the retention rate, its share in that rate; where it pays on cash, also the
payments on the customer's open invoices that a more satisfied customer no longer holds
back (``payments.withhold_unsatisfied``). When free, the rep works the ready
task with the highest ``(1 - s) x procedure priority + s x pay value`` (priority 1 for the
procedure's first kind, 0 for its last; meetings first). A task with ``(1 - s) + s x pay
value`` below one half is not worth doing: a revisit, a feedback call or a collection call
is skipped, and an early pipeline step is put off to the next pay period if the customer
will wait that long (``decision.hold_days``), or else the lead goes cold. That is how
collection calls and revisits lapse under pay on booked revenue alone and how a rep with no
chance of a quota gives up. A closing step (negotiation, signing, a repeat order) is always
done, the customer being ready, except that within ``hold_days`` of a period's end the rep
holds it over when the pay it gains by waiting outweighs the procedure, valued at the
plan's standard rate on the deal (a rep at its cap). Conversely a deal that would close
next period is pulled into this one, the customer meeting and signing at once for
``decision.pull_discount`` more off, when that pays more by the same margin; near a
period's end the rep also adds up every deal it could pull and pushes them all when
together they pay (a rep within reach of a quota). The discount is the blend, by ``s``, of
the procedure's and the one that maximises expected pay: win chance times what winning the
deal adds to the rep's pay. Near a quota that is the rise in the chance of the bonus,
nearly whatever the deal's amount, so the rep gives more off to win; a rep to whom the deal
is not worth the work (above the quota, or out of reach) gives the procedure's discount.
At ``s = 0`` the rule is the procedure rule exactly, and the plan changes nothing but the
pay.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..scenario import Scenario
    from .pipeline import Opp
    from .reps import Rep

__all__ = [
    "TASKS", "MEETING", "FIRST_CONTACT", "DISCOVERY", "DEMO", "QUOTE", "NEGOTIATION",
    "CONTRACT", "REPEAT_ORDER", "FEEDBACK", "COLLECTION_CALL", "REVISIT", "ACTIVITIES",
    "COACHING", "TRAINING", "DecisionRule", "ProcedureRule", "PayAwareRule", "RULES",
]

# Task kinds: index into a rep's queues. The pipeline stages are 1..6 in process order.
MEETING, FIRST_CONTACT, DISCOVERY, DEMO, QUOTE, NEGOTIATION, CONTRACT = range(7)
REPEAT_ORDER, FEEDBACK, COLLECTION_CALL, REVISIT = range(7, 11)
TASKS = (
    "meeting", "first_contact", "discovery", "demo", "quote", "negotiation", "contract",
    "repeat_order", "feedback", "collection_call", "revisit",
)
# Activities that are not to-do kinds: scheduled career sessions (see careers.py).
COACHING, TRAINING = range(11, 13)
ACTIVITIES = (*TASKS, "coaching", "training")


class DecisionRule(Protocol):
    """What a decision rule provides.

    ``choose`` returns the kind of task (an index of :data:`TASKS`) the rep works on next,
    or -1 to wait; only a queue whose first item is ready (``queue[0][0] <= now``) may be
    chosen. A rule may also offer ``chooser(rep)``, returning a function of ``now`` alone
    that gives the same answers faster; the model uses it when present. A chooser that
    takes the first ready queue in a fixed order may carry that order as its attribute
    ``pairs`` (``(kind, queue)`` pairs covering every queue): the model then scans the
    queues itself and, when none is ready, finds the next ready time in the same pass.

    ``discount`` returns the discount (a fraction, whole percent) offered to an opportunity
    in negotiation; ``u`` is that lead's own uniform random number.

    Optional: ``bind(model)`` is called once the model is set up; ``admit(m, rep, kind,
    item, now)``, when not None, is asked before each task is begun and returns False when
    the rep puts the item off (having re-queued or dropped it); ``pull(m, rep, opp, kind,
    t1, ready)``, when not None, may move the time the next pipeline step becomes ready.
    """

    name: str

    def choose(self, rep: Rep, now: float) -> int: ...

    def discount(self, rep: Rep, opp: Opp, now: float, u: float) -> float: ...


class ProcedureRule:
    """The regulation's order of priorities (see the module text)."""

    name = "procedure"
    order = (MEETING, FIRST_CONTACT, CONTRACT, NEGOTIATION, REPEAT_ORDER, FEEDBACK,
             COLLECTION_CALL, QUOTE, DEMO, DISCOVERY, REVISIT)

    def __init__(self, scenario: Scenario) -> None:
        p = scenario.pricing
        self._standard = p.standard_discount
        self._concession = p.concession_max
        self._max_pct = math.floor(p.max_discount * 100 + 1e-9)

    def choose(self, rep: Rep, now: float) -> int:
        queues = rep.queues
        for kind in self.order:
            q = queues[kind]
            if q and q[0][0] <= now:
                return kind
        return -1

    def chooser(self, rep: Rep) -> Callable[[float], int]:
        """``choose`` for one rep, as a function of time only (the model's fast path)."""
        pairs = tuple((kind, rep.queues[kind]) for kind in self.order)

        def choose(now: float) -> int:
            for kind, q in pairs:
                if q and q[0][0] <= now:
                    return kind
            return -1

        choose.pairs = pairs  # the fixed order, which the model scans inline
        return choose

    def discount(self, rep: Rep, opp: Opp, now: float, u: float) -> float:
        d = round((self._standard + self._concession * u) * 100)
        top = self._max_pct
        return (top if top < d else d) / 100  # min(d, top), faster


from .payaware import PayAwareRule  # noqa: E402  (it builds on the names above)

RULES: dict[str, type] = {"procedure": ProcedureRule, "pay_aware": PayAwareRule}
