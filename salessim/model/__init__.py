"""The SimPy model of a sales team working leads through the regulated process (R2.1).

One module per part of the process:

- :mod:`~salessim.model.leads`: lead channels and the scoring system (R2.1.1.2, R2.1.1.3);
- :mod:`~salessim.model.pipeline`: follow-up, discovery, demo, quote, negotiation and
  contract (R2.1.2, R2.1.3); :func:`~salessim.model.pipeline.win_probability` is the chance
  that a customer moves on after one step;
- :mod:`~salessim.model.fulfilment`: order execution by a shared delivery team (R2.1.4.1);
- :mod:`~salessim.model.aftersales`: feedback, revisits, satisfaction, surveys, churn,
  repeat orders and referrals (R2.1.4.2, R2.1.4.3, R2.3.1.3);
- :mod:`~salessim.model.payments`: invoices, payments and collection calls (R2.2.1.3);
- :mod:`~salessim.model.reps`: reps, their to-do lists, hours and team meetings (R2.3.2);
- :mod:`~salessim.model.rules`: the decision rules that order a rep's work, the procedure
  and the pay-aware rule (:mod:`~salessim.model.payaware`, valuing work with each rep's
  pay outlook, :mod:`~salessim.model.outlook`);
- :mod:`~salessim.model.careers`: promotion, coaching, recognition and training (R2.2.2.2,
  R2.2.2.3);
- :mod:`~salessim.model.streams`: named random streams (common random numbers);
- :mod:`~salessim.model.engine` and :mod:`~salessim.model.output`: running a replication
  and turning its records into the ledger.
"""

from __future__ import annotations

import dataclasses
import gc
import operator
from functools import cached_property
from typing import Any

import pandas as pd

from ..calendar import WorkCalendar
from ..incentives import load_plan, payouts
from ..ledger import Ledger
from ..scenario import Scenario, load_scenario
from .engine import Model
from .pipeline import win_probability
from .rules import RULES, DecisionRule, ProcedureRule

__all__ = ["simulate", "Simulation", "RULES", "DecisionRule", "ProcedureRule",
           "win_probability"]


class Simulation:
    """The result of one replication.

    Attributes
    ----------
    ledger : salessim.Ledger
        Every ledger table: reps, leads, customers, deals, invoices, payments, activities,
        surveys, and the ``payouts`` of the scenario's pay plan.
    scenario : salessim.Scenario
        The scenario that was run.
    seed : int
        The seed of the run.
    calendar : salessim.calendar.WorkCalendar
        The working-day calendar (clock day -> date).
    trace : pandas.DataFrame
        One row per event in the life of each lead and the customer it became, from arrival
        to payment: ``time`` (working days from the start), ``date``, ``lead_id``,
        ``rep_id``, ``event``, ``value``, ``detail`` (see
        :func:`salessim.model.output.build_trace`). Run with ``trace=False``, it holds only
        the events the records keep anyway (arrival, tasks, outcome, invoices, payments),
        without deliveries, satisfaction, surveys, referrals and churn.
    daily : pandas.DataFrame
        What the model counted at the start of each working day: open opportunities,
        active customers and orders waiting for the delivery team.
    orders : pandas.DataFrame
        Every order handed to the delivery team: deal, customer, rep, date signed, working
        days it waited in the queue, date delivered. Cheaper than the trace for delays.

    The result keeps the run's records for ``trace``, ``daily`` and ``orders``, which are
    built on first use; keep only ``ledger`` when holding many replications.
    """

    def __init__(self, model: Model, ledger: Ledger) -> None:
        self._model = model
        self.ledger = ledger
        self.scenario: Scenario = model.scenario
        self.seed: int = model.seed
        self.calendar: WorkCalendar = model.calendar

    @cached_property
    def trace(self) -> pd.DataFrame:
        from .output import build_trace

        return build_trace(self._model)

    @cached_property
    def orders(self) -> pd.DataFrame:
        """The orders handed to the delivery team, with their queueing delay (R2.1.4.1)."""
        from .output import build_orders

        return build_orders(self._model)

    @cached_property
    def daily(self) -> pd.DataFrame:
        from .output import build_daily

        return build_daily(self._model)

    def follow(self, lead_id: str) -> pd.DataFrame:
        """The trace of one lead, from its arrival to its last payment."""
        tr = self.trace
        return tr[tr["lead_id"] == lead_id].reset_index(drop=True)

    def __repr__(self) -> str:
        d = self.ledger.deals
        return (f"<Simulation {self.scenario.name!r} seed={self.seed}: "
                f"{len(self.ledger.reps)} reps, {len(self.ledger.leads)} leads, "
                f"{len(d)} deals, revenue {d['amount'].sum():,.0f} CNY>")


def simulate(scenario: Scenario | str | dict[str, Any] = "default", seed: int = 0, *,
             trace: bool = True) -> Simulation:
    """Simulate a sales team working its leads through the regulated process (R2.1).

    Parameters
    ----------
    scenario : Scenario, dict or str
        The scenario, a dict of its parameters, ``"default"`` or a path to a TOML file.
    seed : int
        Seed of the run, >= 0. The same scenario and seed give the same ledger, bit for bit, in
        any process; each random input has its own stream (see
        :mod:`salessim.model.streams`).
    trace : bool
        Record the after-sales events of the trace (deliveries, satisfaction, surveys,
        referrals, churn); turn off for very large runs.

    Returns
    -------
    Simulation
        ``.ledger`` (a :class:`salessim.Ledger` with every table, ``payouts`` included),
        ``.trace``, ``.daily``, ``.scenario``, ``.seed``.

    Examples
    --------
    >>> from salessim import simulate
    >>> run = simulate({"team": {"reps": 2}, "calendar": {"months": 1}}, seed=1)
    >>> sorted(run.ledger.leads["outcome"].unique())[:2]
    ['disqualified', 'lost']
    """
    from .output import build_ledger

    s = load_scenario(scenario)
    plan = load_plan(s.plan)
    try:
        seed = operator.index(seed)
    except TypeError:
        raise TypeError(f"seed must be a whole number >= 0, got {seed!r}") from None
    if seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed}")
    # The model makes no reference cycles; pausing the cyclic garbage collector spares it
    # scanning millions of records, which saves about a fifth of the time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        model = Model(s, seed, trace).run()
        ledger = build_ledger(model, source=f"simulate({s.name!r}, seed={seed})")
    finally:
        if collecting:
            gc.enable()
    # The team is paid by the scenario's plan with the same pay rules sales operations use
    # on a CRM export (R2.2.2.1), so the recorded payouts equal payouts(ledger, plan).
    # payouts() returns the table coerced already, so it is set without coercing it again.
    ledger = dataclasses.replace(ledger, payouts=payouts(ledger, plan, targets=s.targets))
    return Simulation(model, ledger)
