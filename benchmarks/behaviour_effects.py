"""Measure how pay-aware reps respond to pay plans (F1-F9) and write ``docs/behaviour.md``.

Runs every effect of :data:`salessim.effects.EFFECTS` over ``--replications`` replications
(replication ``i`` of every plan uses seed ``i``: common random numbers), and writes the
note with each effect's means, paired difference and 95% confidence interval.

Usage::

    python benchmarks/behaviour_effects.py                       # 20 replications, 2 jobs
    python benchmarks/behaviour_effects.py --replications 40 --jobs 8 --out docs/behaviour.md

With 20 replications on 2 cores it takes about 4 minutes.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

from salessim import __version__, effects

HERE = Path(__file__).resolve().parent
NOTE = HERE.parent / "docs" / "behaviour.md"

INTRO = """# How pay-aware reps respond to pay plans: measured effects

The research note (`research/incentives-and-kpis.md`) lists how salespeople have been
measured to respond to pay plans (F1-F9). This note reports what the model does, with the
pay-aware decision rule (`salessim/model/rules.py`) at incentive sensitivity
{s} (pay weighs four times the regulation's procedure).

Each row compares two plans on the same {n} replications (replication *i* of both plans
meets the same leads, customers and luck): the mean of each, the mean paired difference
and its 95% confidence interval (t interval of the {n} differences,
`salessim.experiment.paired_ci`). The business is `salessim.effects.behaviour_scenario`:
{reps} reps in one team over {months} months, Monday-to-Friday working days, web leads only
(3.3 a rep and working day, so revenue is spread evenly over a quarter), the default
process; the first quarter fills the empty pipeline and is not analysed, so each
replication measures the second and third quarters. The businesses:

- **steady**: the regulation's target (100,000 CNY a rep-month); customers ready to sign do
  not wait (`decision.hold_days = 0`, the default);
- **steady, customers wait**: the same, with customers who wait up to 3 working days to
  sign, so a rep can hold a ready deal over a quarter's end;
- **easy quota**: 70,000 CNY a month, customers who wait 3 days: reps reach the `capped`
  plan's cap (150% of the quarter's target);
- **stretching quota**: 140,000 CNY a month: many reps fall far behind;
- **fixed capacity**: the delivery team starts 0.75 orders a rep and working day, about
  what reps sign under linear pay;
- **paid over time**: steady, with each deal invoiced in three parts due 30, 60 and 90
  days after signing, and customers who, when unhappy, may hold a payment back until they
  are chased (`payments.withhold_unsatisfied = 0.6`: at satisfaction *s* a payment is held
  back with chance 0.6 x (1 - *s*)), so the cash a rep is owed depends on after-sales care.

`new_logos` (`salessim.effects.NEW_LOGOS`) pays 480 CNY per new customer, the same cost at
the new-customer target. `procedure` stands for the same reps at incentive sensitivity 0:
they follow the regulation's procedure whatever the plan.

Reproduce with:

    {command}

"""

READING = """
## Reading the table

- **F1** (Oyer 1998). Under the quarterly quota bonus more of a quarter's revenue is signed
  in its last 10 working days: reps within reach of the quota push (they ask customers to
  meet and sign at once, for `decision.pull_discount` more off), while reps already above
  the quota or out of reach stop working deals that would close this quarter. Under linear
  pay the share is that of 10 working days out of 65-66 (0.153). The period-end deals are
  also cheaper, by about one point of discount (0.0941 to 0.1037): to a rep within reach of
  the quota, winning a deal is worth the rise in its chance of the bonus, nearly whatever
  the deal's amount, so it gives more off to win it, and 5 points more on a deal pulled in
  (`Outlook.win_value`, `tests/test_behaviour_rule.py`); reps above the quota or out of
  reach, to whom the deal is worth nothing, price it by the procedure. Under linear pay
  every deal is worth its commission, and the rep trades win chance against price on every
  deal alike. When customers will wait a few days to sign (third F1 row), reps above the
  quota or out of reach also *hold* ready deals into the next quarter, and that outweighs
  the push: the share falls below linear. Which way a quota moves period-end revenue
  depends on how many reps have already made it or given up.
- **F2** (Larkin 2014). The accelerator (16% above the quarterly target, 8% below) makes
  every rep who may pass the target pull deals into the quarter; the period-end share
  rises far more than under the quota bonus.
- **F3** (Misra & Nair 2011). Reps who reach the cap sign less for the rest of the quarter
  than the same reps under linear pay, and more of their quarter's leads close in the next
  quarter.
- **F4** (Chung, Steenburgh & Sudhir 2014). Under a stretching quota, reps below 45% of
  the target 20 working days before the quarter's end spend fewer hours on the pipeline
  than the same reps under linear pay: they give up (leads they would work go cold). Under
  the accelerator the top third of reps sign more after reaching 100% than under the cap.
- **F6** (Holmström & Milgrom 1991; Kishore et al. 2013), in the business paid over time.
  Paid on booked revenue alone, pay-aware reps make no collection calls, and the collection
  rate is 15-20 points lower than under cash pay (`collected`) or the regulation's
  scorecard (`regulation`), under which they keep calling. After-sales care lapses too.
  Under linear pay a revisit is worth the commission on the repeat orders that the
  satisfaction it adds brings before the rep's outlook ends (the end of next month), often
  less than the work is worth to a rep at this sensitivity: reps give revisits less than
  half the procedure's hours (123 against 270) and make almost no feedback calls after
  delivery (8 hours), and retention falls by 1.9 points. Paid on cash, reps also weigh the
  payments that a more satisfied customer no longer holds back: they make the feedback
  call after nearly every delivery (160 hours; the new customer still owes every invoice)
  and revisit customers who still owe (145 hours, 22 more than under linear pay), and
  retention is 1.5 points higher than under linear pay. The regulation's scorecard pays on
  the retention rate of the customers each quarter opens with, and its quarters reach
  further: its reps revisit as much as the procedure does (281 hours), and retention is 1.2
  points higher than under linear pay. Neither brings retention back to the procedure's
  (0.842). Cash pay protects after-sales care only while cash is owed and care changes
  whether it comes in: in the steady business (one invoice a deal, due in 30 days, and no
  customer holds a payment back) cash pay values a kept customer as revenue pay does, by
  its repeat orders, and retention under `collected` is no higher than under linear pay
  (the "steady" retention row; its interval includes 0).
- **F9** (Forrester 1968). With delivery capacity fixed, paying for new customers makes
  reps buy wins with deep discounts; orders queue longer, customers wait, satisfaction
  falls and more of them leave.
- At incentive sensitivity 0 every plan gives byte-identical ledgers apart from the
  payouts (`tests/test_behaviour_identity.py`).

The tests `tests/test_behaviour_*.py` check these effects, most on fewer replications, with
the tolerances they state.
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=20)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--reps", type=int, default=6)
    ap.add_argument("--months", type=int, default=9)
    ap.add_argument("--out", type=Path, default=NOTE)
    args = ap.parse_args(argv)
    start = time.perf_counter()
    values = effects.measure(args.replications, reps=args.reps, months=args.months,
                             jobs=args.jobs)
    took = time.perf_counter() - start
    command = "python benchmarks/behaviour_effects.py" + "".join(
        f" --{k} {v}" for k, v in (("replications", args.replications),
                                   ("reps", args.reps), ("months", args.months))
        if v != ap.get_default(k))
    text = INTRO.format(s=effects.SENSITIVITY, n=args.replications, reps=args.reps,
                        months=args.months, command=command)
    text += effects.markdown(values) + READING
    text += (f"\n_Measured with salessim {__version__}, Python {platform.python_version()}, "
             f"{args.jobs} jobs, in {took / 60:.1f} minutes._\n")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
