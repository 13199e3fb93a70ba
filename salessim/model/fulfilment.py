"""Order execution by the delivery team (production and logistics), shared by a sales
team's reps (R2.1.4.1, 订单执行).

The delivery team starts at most ``fulfilment.capacity_per_day`` orders per working day,
first come first served, and each order is delivered ``lead_time_days`` after work on it
starts. With several sales teams, each team's orders go to a delivery line of its own with
its share of that capacity, in proportion to its reps. When a team signs orders faster
than its line starts them, orders wait in a queue and the delivery delay grows, and every
working day an order waits costs the customer some satisfaction (see
:mod:`salessim.model.aftersales`). With unlimited capacity (``inf``) orders never wait.
"""

from __future__ import annotations

from array import array

__all__ = ["Fulfilment"]


class Fulfilment:
    """A first-come-first-served delivery line starting one order every ``1/capacity``."""

    __slots__ = ("gap", "lead_time", "free_at", "signed", "started", "deals")

    def __init__(self, capacity_per_day: float, lead_time_days: float) -> None:
        self.gap = 1.0 / capacity_per_day  # 0.0 for inf
        self.lead_time = lead_time_days
        self.free_at = 0.0
        # Lists while the run goes on, arrays once it has ended (close()).
        self.signed: list[float] | array = []  # when each order was placed
        self.started: list[float] | array = []  # when work on it started
        self.deals: list[int] | array = []  # the deal it carries out

    def order(self, t: float, deal: int) -> tuple[float, float]:
        """Queue the order of ``deal`` signed at ``t``; returns (queueing delay, delivery)."""
        if self.gap == 0.0 or t >= self.free_at:
            start = t
        else:
            start = self.free_at
        self.free_at = start + self.gap
        self.signed.append(t)
        self.started.append(start)
        self.deals.append(deal)
        return start - t, start + self.lead_time

    def close(self) -> None:
        """Keep the orders as arrays once the run has ended (no more orders come)."""
        self.signed = array("d", self.signed)
        self.started = array("d", self.started)
        self.deals = array("q", self.deals)
