"""The regulation's numbers as overridable defaults, and the clause registry (R2.2.1, R2.2.2.1)."""

import re

import pytest
from pydantic import ValidationError

from salessim.regulation import CLAUSES, Targets, clause


def test_defaults_are_the_regulations_examples():
    t = Targets()
    assert t.revenue("M") == 100_000
    assert t.revenue("Q") == 300_000  # 3 months
    assert t.revenue("Y") == 1_200_000  # 12 months
    assert t.new_customers("Q") == 50
    assert t.new_customers("Y") == 200
    assert t.retention_rate == 0.85
    assert t.collection_rate == 0.90
    assert (t.uplift_min, t.uplift, t.uplift_max) == (0.20, 0.25, 0.30)


def test_quarter_and_year_follow_the_month_unless_set():
    t = Targets(monthly_revenue=80_000)
    assert t.revenue("Q") == 240_000
    assert t.revenue("Y") == 960_000
    t = Targets(monthly_revenue=80_000, quarterly_revenue=250_000, annual_revenue=1_000_000)
    assert (t.revenue("M"), t.revenue("Q"), t.revenue("Y")) == (80_000, 250_000, 1_000_000)


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"monthly_revenue": -1}, "monthly_revenue"),
        ({"retention_rate": 1.5}, "retention_rate"),
        ({"collection_rate": -0.1}, "collection_rate"),
        ({"uplift": 0.5}, "uplift"),
        ({"monthly_revnue": 1}, "monthly_revnue"),
    ],
)
def test_bad_targets_are_refused_naming_the_field(kwargs, field):
    with pytest.raises(ValidationError) as info:
        Targets(**kwargs)
    assert field in str(info.value)


def test_period_kind_is_checked():
    with pytest.raises(ValueError, match="'M', 'Q' or 'Y'"):
        Targets().revenue("W")


def test_clause_registry_is_complete_and_ordered():
    ids = [c.id for c in CLAUSES]
    assert len(ids) == len(set(ids))
    assert ids[0] == "R1" and ids[-1] == "R3.3.2"
    assert all(re.fullmatch(r"R\d(\.\d)*", i) for i in ids)
    # every leaf clause of the map in ../shared/regulation/clauses.md
    for needed in ["R2.1.1.3", "R2.1.4.3", "R2.2.1.3", "R2.2.2.1", "R2.3.2.3", "R3.1.1"]:
        assert needed in ids
    assert all(c.title and c.title_zh for c in CLAUSES)
    assert clause("R2.2.1.3").title_zh == "回款率"


def test_unknown_clause_lists_the_known_ones():
    with pytest.raises(KeyError, match="R2.2.1.3"):
        clause("R9")
