"""The scenario: loading, validation messages, overrides, the shipped default (R2.1)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tomllib

import pytest

from salessim import Scenario, load_scenario
from salessim.cli import main
from salessim.scenario import ScenarioError, default_scenario_text, parse_assignment


def problems_of(data: dict) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(data)
    return info.value.problems


# ------------------------------------------------------------------ the default
def test_default_file_is_the_default_scenario():
    assert load_scenario("default") == Scenario()


def test_default_file_is_generated_from_the_code():
    # The shipped file is Scenario().to_toml(comments=True); if a default or a description
    # changes, regenerate it.
    assert default_scenario_text() == Scenario().to_toml(comments=True)


def test_every_parameter_in_the_default_file_has_a_comment_before_it():
    lines = default_scenario_text().splitlines()
    settings = [i for i, line in enumerate(lines)
                if line and not line.startswith(("#", "[", " ", "]", "}"))]
    assert len(settings) > 80  # every parameter of every section is written out
    for i in settings:
        assert lines[i - 1].startswith("# "), f"no comment before line {i + 1}: {lines[i]}"


def test_default_numbers_are_the_regulations():
    s = Scenario()
    assert (s.team.reps, s.calendar.months, s.calendar.start) == (10, 12, dt.date(2026, 1, 1))
    assert s.targets.monthly_revenue == 100_000
    assert s.targets.quarterly_new_customers == 50
    assert (s.targets.retention_rate, s.targets.collection_rate) == (0.85, 0.90)


def test_toml_round_trip_keeps_every_value(tmp_path):
    s = Scenario().with_overrides({
        "fulfilment.capacity_per_day": float("inf"), "team.reps": 3,
        "channels.trade_show.shows": [{"date": dt.date(2026, 5, 5), "leads": 10.5, "days": 2}],
        "plan": {"components": [{"kind": "commission", "rate": 0.05}]},
        "description": 'quotes " and \\ backslashes, 中文',
    })
    path = tmp_path / "s.toml"
    path.write_text(s.to_toml(), encoding="utf-8")
    assert load_scenario(path) == s
    assert load_scenario(str(path)).to_dict() == s.to_dict()


def test_sources_dict_keywords_and_scenario():
    s = load_scenario({"team": {"reps": 4}})
    assert s.team.reps == 4 and s.team.hours_per_day == 8
    assert Scenario(team={"reps": 4}) == s
    assert load_scenario(s) is s
    assert load_scenario("default", team__reps=4) == s


# ------------------------------------------------------------------ mistakes
def test_unknown_key_names_the_path_and_suggests():
    (msg,) = problems_of({"channels": {"web": {"rate_per_dy": 3}}})
    assert msg.startswith("channels.web.rate_per_dy: unknown key")
    assert "did you mean channels.web.rate_per_day?" in msg
    assert "rate_per_day" in msg.split("allowed here:")[1]


def test_unknown_section():
    (msg,) = problems_of({"teem": {"reps": 3}})
    assert msg.startswith("teem: unknown key") and "team" in msg


def test_wrong_type_names_path_and_value():
    (msg,) = problems_of({"team": {"reps": "ten"}})
    assert msg == 'team.reps: "ten" is not allowed: must be a whole number'
    (msg,) = problems_of({"fulfilment": {"lead_time_days": True}})
    assert msg == "fulfilment.lead_time_days: true is not allowed: must be a number"


def test_probability_above_one():
    (msg,) = problems_of({"process": {"demo": {"conversion": 1.2}}})
    assert msg == "process.demo.conversion: 1.2 is not allowed: must be <= 1"


def test_negative_rate():
    (msg,) = problems_of({"channels": {"web": {"rate_per_day": -1}}})
    assert msg == "channels.web.rate_per_day: -1 is not allowed: must be >= 0"


def test_start_date_not_a_date():
    (msg,) = problems_of({"calendar": {"start": "2026-01-01"}})
    assert msg.startswith('calendar.start: "2026-01-01" is not allowed: must be a date')
    (msg,) = problems_of({"calendar": {"start": 20260101}})
    assert msg.startswith("calendar.start: 20260101 is not allowed: must be a date")


def test_bad_value_inside_a_list_and_a_mix():
    probs = problems_of({"channels": {"trade_show": {"shows": [{"date": dt.date(2026, 3, 1),
                                                                  "days": 0}]},
                                      "web": {"region": {"east": -0.5}}}})
    assert "channels.trade_show.shows[0].days: 0 is not allowed: must be >= 1" in probs
    assert any(p.startswith("channels.web.region: ") and "-0.5" in p for p in probs)


def test_all_problems_are_reported_at_once():
    probs = problems_of({"team": {"reps": 0}, "payments": {"grace_days": -2, "colour": 1}})
    assert len(probs) == 3
    assert {p.split(":")[0] for p in probs} == {"team.reps", "payments.grace_days",
                                                "payments.colour"}


def test_category_without_points_is_refused():
    (msg,) = problems_of({"channels": {"web": {"industry": {"mining": 1.0}}}})
    assert msg.startswith("channels.web.industry.mining:")
    assert "scoring.industry" in msg


def test_unknown_decision_rule():
    (msg,) = problems_of({"decision": {"rule": "greedy"}})
    assert msg.startswith('decision.rule: "greedy" is not allowed: unknown rule')
    assert "procedure" in msg


@pytest.mark.parametrize(("text", "expected"), [
    ("[channels.web]\nrate_per_dy = 3\n", "channels.web.rate_per_dy: unknown key"),
    ('[team]\nreps = "ten"\n', 'team.reps: "ten" is not allowed: must be a whole number'),
    ("[process.negotiation]\nconversion = 1.5\n",
     "process.negotiation.conversion: 1.5 is not allowed: must be <= 1"),
    ("[channels.trade_show]\nrate_per_day = -2.5\n",
     "channels.trade_show.rate_per_day: -2.5 is not allowed: must be >= 0"),
    ('[calendar]\nstart = "2026-01-01"\n',
     'calendar.start: "2026-01-01" is not allowed: must be a date'),
], ids=["unknown key", "wrong type", "probability above 1", "negative rate", "date as text"])
def test_each_kind_of_mistake_in_a_file(tmp_path, text, expected):
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(path) in str(info.value)
    assert expected in str(info.value)


def test_bad_toml_files_name_the_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[team\nreps = 3\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"bad\.toml: not valid TOML"):
        load_scenario(bad)
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario(tmp_path / "missing.toml")
    wrong = tmp_path / "wrong.toml"
    wrong.write_text("[process.quote]\nconversion = 7\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(wrong)
    assert str(wrong) in str(info.value)
    assert "process.quote.conversion: 7 is not allowed: must be <= 1" in str(info.value)


# ------------------------------------------------------------------ overrides
def test_overrides_validate_and_leave_the_original_alone():
    s = Scenario()
    t = s.with_overrides({"fulfilment.capacity_per_day": 5, "pricing.list_price.small": 4500})
    assert t.fulfilment.capacity_per_day == 5.0 and t.pricing.list_price["small"] == 4500
    assert s.fulfilment.capacity_per_day == Scenario().fulfilment.capacity_per_day
    assert s.pricing.list_price["small"] == 4000
    with pytest.raises(ScenarioError, match="fulfilment.capacity_per_day: 0 is not allowed"):
        s.with_overrides({"fulfilment.capacity_per_day": 0})
    with pytest.raises(ScenarioError, match="team.reps.x: cannot set it, team.reps is 10"):
        s.with_overrides({"team.reps.x": 1})


def test_scenarios_are_immutable():
    s = Scenario()
    with pytest.raises(Exception, match="frozen"):
        s.team.reps = 3
    d = s.to_dict()
    d["team"]["reps"] = 99
    assert s.team.reps == 10


@pytest.mark.parametrize(("text", "expected"), [
    ("team.reps=5", ("team.reps", 5)),
    ("fulfilment.capacity_per_day = inf", ("fulfilment.capacity_per_day", float("inf"))),
    ("calendar.start=2026-03-01", ("calendar.start", dt.date(2026, 3, 1))),
    ("decision.rule=procedure", ("decision.rule", "procedure")),
    ('name="a b"', ("name", "a b")),
    ("pricing.list_price={small=1.0}", ("pricing.list_price", {"small": 1.0})),
])
def test_parse_assignment_reads_toml_values(text, expected):
    assert parse_assignment(text) == expected


def test_parse_assignment_needs_an_equals_sign():
    with pytest.raises(ScenarioError, match="expected PATH=VALUE"):
        parse_assignment("team.reps")


# ------------------------------------------------------------------ command line
def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "salessim.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def test_cli_simulate_broken_file_exits_2_with_the_message(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text('[calendar]\nstart = "first of January"\n[process.demo]\n'
                      "conversion = 1.5\n", encoding="utf-8")
    res = run_cli("simulate", str(broken), "--out", str(tmp_path / "out"))
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert 'calendar.start: "first of January" is not allowed: must be a date' in res.stderr
    assert "process.demo.conversion: 1.5 is not allowed: must be <= 1" in res.stderr
    assert not (tmp_path / "out").exists()


def test_cli_simulate_bad_set_exits_2(tmp_path, capsys):
    code = main(["simulate", "default", "--out", str(tmp_path / "o"), "--set",
                 "team.hours_per_day=-8"])
    assert code == 2
    assert "team.hours_per_day: -8 is not allowed: must be > 0" in capsys.readouterr().err


def test_cli_simulate_plan_overrides_the_scenarios_plan(tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["simulate", "default", "--out", str(out), "--months", "1", "--reps", "2",
                 "--plan", "collected"]) == 0
    paid = (out / "payouts.csv").read_text(encoding="utf-8").splitlines()
    assert paid[0] == "rep_id,period,plan,component,amount"
    assert {line.split(",")[2] for line in paid[1:]} == {"collected"}
    assert main(["simulate", "default", "--out", str(tmp_path / "x"), "--plan", "nosuch"]) == 2
    err = capsys.readouterr().err
    assert "'nosuch' is neither a built-in plan" in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()


def test_cli_scenario_show(tmp_path, capsys):
    assert main(["scenario", "show", "default"]) == 0
    assert capsys.readouterr().out == default_scenario_text()
    small = tmp_path / "small.toml"
    small.write_text("[team]\nreps = 3\n", encoding="utf-8")
    assert main(["scenario", "show", str(small)]) == 0
    shown = tomllib.loads(capsys.readouterr().out)
    assert shown["team"]["reps"] == 3 and shown["calendar"]["months"] == 12
    assert Scenario.from_dict(shown) == Scenario(team={"reps": 3})


def test_with_team_scales_demand_and_delivery_with_the_team():
    s = Scenario()
    big = s.with_team(25)  # 2.5 times the team
    assert big.team.reps == 25
    assert big.channels.web.rate_per_day == pytest.approx(2.5 * s.channels.web.rate_per_day)
    assert [x.leads for x in big.channels.trade_show.shows] == \
        pytest.approx([2.5 * x.leads for x in s.channels.trade_show.shows])
    assert big.fulfilment.capacity_per_day == pytest.approx(2.5 * s.fulfilment.capacity_per_day)
    assert big.after_sales == s.after_sales and big.process == s.process
    assert s.with_overrides({"team.reps": 25}).channels == s.channels
