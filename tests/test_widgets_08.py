"""Lesson 08 dashboards: satisfaction surveys (R2.3.1.3) and the masking preview (R2.3.1.2)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from salessim import Ledger, sample_crm_dir
from salessim.widgets import lesson08
from salessim.widgets.lesson08 import (
    compute_masking,
    compute_surveys,
    plot_surveys,
    survey_periods,
    survey_teams,
)


@pytest.fixture(scope="module")
def ledger() -> Ledger:
    return Ledger.from_csv_dir(sample_crm_dir())


# ---------------------------------------------------------------- surveys
def test_company_first_quarter_by_hand(ledger):
    r = compute_surveys(ledger, "2026Q1")
    # 2026-03-31 answers, csat: 5 2 4 3 4 3 5 4 -> 4 or 5: five of eight
    assert r.answers == 8 and r.satisfied == 5
    assert r.csat == pytest.approx(5 / 8)
    # nps: 9 3 8 6 8 6 10 7 -> promoters 9, 10; passives 8, 8, 7; detractors 3, 6, 6
    assert (r.promoters, r.passives, r.detractors) == (2, 3, 3)
    assert r.nps == pytest.approx(100 * (2 - 3) / 8)
    assert r.csat_counts.tolist() == [0, 1, 2, 3, 2]            # scores 1..5
    assert r.nps_counts.tolist() == [0, 0, 0, 1, 0, 0, 2, 1, 2, 1, 1]  # scores 0..10
    assert r.summary() == (
        "2026Q1, all teams: 8 answers\n"
        "CSAT 62.5% (5 of 8 answered 4 or 5); NPS -12.5 (2 promoters, 3 passives, "
        "3 detractors)"
    )


def test_team_and_year_by_hand(ledger):
    # North = R01 and R02. 2026Q2 answers of their customers: C01 (4, 8), C05 (5, 9),
    # C09 (4, 8) -> all satisfied; one promoter, two passives -> NPS 100 * 1 / 3
    north = compute_surveys(ledger, "2026Q2", "North")
    assert (north.answers, north.csat) == (3, 1.0)
    assert north.nps == pytest.approx(100 / 3)
    assert north.summary().endswith("NPS +33.3 (1 promoter, 2 passives, 0 detractors)")
    # South = R03 and R04 over 2026: C03 (4, 8), C04 (3, 6), C11 (5, 10), C12 (4, 7),
    # C11 (5, 9), C13 (4, 7), C15 (3, 5) -> satisfied 5 of 7; promoters 10 and 9,
    # detractors 6 and 5 -> NPS 0
    south = compute_surveys(ledger, "2026", "South")
    assert south.answers == 7 and south.csat == pytest.approx(5 / 7)
    assert south.nps == 0 and (south.promoters, south.detractors) == (2, 2)
    assert south.who == "team South"


@pytest.mark.parametrize("team", [None, "North", "South"])
@pytest.mark.parametrize("period", ["2026Q1", "2026Q2", "2026", "2026-03", "2026-06"])
def test_counts_agree_with_the_kpi_scores(ledger, period, team):
    # the plot's bars and the numbers from salessim.kpi describe the same answers
    r = compute_surveys(ledger, period, team)
    assert r.answers > 0
    assert r.csat == pytest.approx(r.satisfied / r.answers)
    assert r.nps == pytest.approx(100 * (r.promoters - r.detractors) / r.answers)
    assert r.promoters + r.passives + r.detractors == r.answers


def test_boundaries_of_the_score_groups(ledger):
    # one customer per score: 6 is a detractor, 7 and 8 passives, 9 a promoter;
    # 3 is not satisfied, 4 is
    surveys = pd.DataFrame({
        "customer_id": ["C01", "C05", "C06", "C07"],
        "surveyed_on": pd.to_datetime(["2026-05-29"] * 4),
        "csat": [3, 4, 4, 3], "nps": [6, 7, 8, 9],
    })
    r = compute_surveys(ledger.replace(surveys=surveys), "2026Q2")
    assert (r.detractors, r.passives, r.promoters) == (1, 2, 1)
    assert r.nps == 0 and r.csat == 0.5


def test_a_period_without_answers_has_no_scores(ledger):
    # February 2026 has deals but no survey round (they end March and June)
    r = compute_surveys(ledger, "2026-02")
    assert r.answers == 0 and math.isnan(r.csat) and math.isnan(r.nps)
    assert r.summary() == "2026-02, all teams: no survey answers"
    plot_surveys(r)  # draws empty bars, no error


@pytest.mark.parametrize("period, team, words", [
    ("Q1", None, "expected a month, quarter or year label"),
    ("2027Q1", None, "'2027Q1' is not in the ledger; its periods of this kind: .*2026Q2"),
    ("2026Q1", "East", "team 'East' is not in the reps table; its teams: North, South"),
])
def test_bad_choices_are_explained(ledger, period, team, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        compute_surveys(ledger, period, team)


def test_choices_offered(ledger):
    assert survey_periods(ledger) == ["2026Q1", "2026Q2", "2026"]
    assert survey_teams(ledger) == ["North", "South"]


def test_plot_shows_the_counts_in_the_scores_colours(ledger):
    r = compute_surveys(ledger, "2026Q1")
    fig = plot_surveys(r)
    assert isinstance(fig, Figure)
    left, right = fig.axes
    heights = [p.get_height() for p in left.patches]
    assert heights == r.csat_counts.tolist()
    green, grey, red = "#1a7f37", "#8c959f", "#cf222e"
    assert [to_hex(p.get_facecolor()) for p in left.patches] == [grey] * 3 + [green] * 2
    bars = sorted(right.patches, key=lambda p: p.get_x())
    assert [p.get_height() for p in bars] == r.nps_counts.tolist()
    assert [to_hex(p.get_facecolor()) for p in bars] == [red] * 7 + [grey] * 2 + [green] * 2
    assert "62.5%" in left.get_title() and "-12.5" in right.get_title()
    assert "count" in left.get_ylabel() and "0 = not at all" in right.get_xlabel()
    assert "8 answers" in fig.get_suptitle()


def test_survey_dashboard_shows_the_numbers_and_follows_the_period(ledger):
    box = lesson08.survey_dashboard(ledger)
    (period, team), scores, image = box.children[0].children, *box.children[1:]
    assert period.description == "Period" and team.description == "Team"
    assert team.value == "All teams" and team.options == ("All teams", "North", "South")
    assert "salessim-result" in scores._dom_classes and scores.description == "Scores"
    assert "CSAT 62.5%" in scores.value and "NPS -12.5" in scores.value
    assert bytes(image.value).startswith(b"\x89PNG")
    period.value = "2026Q2"  # 5 of 6 satisfied; 2 promoters, 1 detractor of 6
    assert "CSAT 83.3%" in scores.value and "NPS +16.7" in scores.value
    team.value = "North"
    assert "CSAT 100.0%" in scores.value and "3 answers" in scores.value


# ---------------------------------------------------------------- masking preview
def _extract() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": ["X01", "X02"],
        "contact_name": ["张示例", "李样本"],
        "mobile": ["+86 138 0000 0101", "139-0000-0202"],
        "city": ["Hangzhou", "Chengdu"],
    })


def test_compute_masking_safe_and_unsafe():
    safe = compute_masking(_extract(), {"contact_name": "name", "mobile": "phone"})
    assert safe.safe and safe.unmasked.empty
    assert safe.table["mobile"].tolist() == ["138****0101", "139****0202"]
    assert safe.verdict.startswith("No unmasked mobile numbers")
    unsafe = compute_masking(_extract(), {"contact_name": "name"})
    assert not unsafe.safe
    assert unsafe.verdict == "Not safe to share. Still unmasked: mobile: 2 mobile numbers."


def test_compute_masking_reports_a_rule_that_cannot_apply():
    extract = _extract()
    preview = compute_masking(extract, {"city": "phone"})
    assert preview.table is None and not preview.safe
    assert preview.verdict.startswith("Cannot mask: mask_extract: column 'city', row 0: "
                                      "mask_phone: 'Hangzhou'")
    pd.testing.assert_frame_equal(extract, _extract())


def test_masking_dashboard_follows_the_dropdowns():
    box = lesson08.masking_dashboard(_extract(), {"mobile": "phone", "contact_name": "name"})
    grid, verdict, table = box.children
    choices = {w.description: w for w in grid.children}
    assert list(choices) == ["customer_id", "contact_name", "mobile", "city"]
    assert choices["customer_id"].value == "keep"
    assert "salessim-masking-result" in verdict._dom_classes
    assert "Safe" in verdict.value and "138****0101" in table.value
    assert "<th>customer_id</th>" in table.value and "<th></th>" not in table.value  # no index
    choices["mobile"].value = "keep"
    assert "Not yet" in verdict.value and "mobile: 2 mobile numbers" in verdict.value
    choices["mobile"].value = "drop"
    assert "Safe" in verdict.value and "mobile" not in table.value


def test_widgets_package_imports_no_ipywidgets():
    import subprocess
    import sys

    code = ("import sys, salessim.widgets.lesson08; "
            "print('ipywidgets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_counts_are_indexed_by_score(ledger):
    r = compute_surveys(ledger, "2026Q1")
    assert r.csat_counts.dtype == np.int64 and list(r.csat_counts.index) == [1, 2, 3, 4, 5]
