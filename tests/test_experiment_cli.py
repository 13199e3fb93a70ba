"""`salessim compare`, `sweep` and `report` on the command line."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from salessim.cli import main

SMALL = ["--reps", "3", "--months", "3", "--no-progress"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "run"
    code = main(["compare", "default", "--plan", "linear", "--plan", "quota_bonus",
                 "--replications", "3", "--seed", "4", "--out", str(out), *SMALL])
    assert code == 0
    return out


def test_compare_prints_plain_words_and_writes_the_folder(folder, capsys):
    code = main(["compare", "default", "--plan", "linear", "--plan", "quota_bonus",
                 "--replications", "3", "--seed", "4", "--out", str(folder), *SMALL])
    out, err = capsys.readouterr()
    assert code == 0 and f"wrote {folder}" in err
    assert out.startswith("Scenario 'default': 3 replications (seed 4) of plans linear, "
                          "quota_bonus.")
    pay = next(line for line in out.splitlines() if line.startswith("Incentive pay"))
    assert re.fullmatch(r"Incentive pay per rep-quarter: quota_bonus [\d,]+ CNY vs linear "
                        r"[\d,]+ CNY; difference [+-][\d,]+ CNY \(95% range [+-][\d,]+ to "
                        r"[+-][\d,]+ CNY: (clearly higher|clearly lower|not clearly "
                        r"different)\)", pay), pay
    cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    assert cfg["seed"] == 4 and [p["name"] for p in cfg["plans"]] == ["linear", "quota_bonus"]
    assert len(pd.read_parquet(folder / "results.parquet")) == 2 * 3 * 3


def test_another_configuration_in_the_same_folder_exits_2(folder, capsys):
    code = main(["compare", "default", "--plan", "linear", "--replications", "3", "--seed",
                 "4", "--out", str(folder), *SMALL])
    err = capsys.readouterr().err
    assert code == 2
    assert "holds the results of a different experiment (it differs in: plans)" in err
    assert "Traceback" not in err


def test_bad_plan_exits_2(tmp_path, capsys):
    code = main(["compare", "default", "--plan", "nope", "--replications", "1",
                 "--out", str(tmp_path / "x"), *SMALL])
    assert code == 2 and "nope" in capsys.readouterr().err


def test_report_is_one_self_contained_html_file(folder, capsys):
    assert main(["report", str(folder)]) == 0
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert html.count('src="data:image/png;base64,') >= 7
    assert not re.search(r'(src|href)="(?!data:)', html)  # nothing to fetch
    assert "not clearly different" in html or "clearly" in html
    assert "quota_bonus" in html and "95% range" in html
    assert not list(folder.glob(".*.tmp"))
    assert main(["report", str(folder / "nowhere")]) == 2


def test_sweep_from_a_grid_file(tmp_path, capsys):
    grid = tmp_path / "grid.toml"
    grid.write_text("fulfilment.capacity_per_day = [4, 40]\n", encoding="utf-8")
    out = tmp_path / "sweep"
    code = main(["sweep", "default", "--grid", str(grid), "--replications", "2", "--out",
                 str(out), *SMALL])
    text = capsys.readouterr().out
    assert code == 0
    assert "With fulfilment.capacity_per_day = 4:" in text
    assert "With fulfilment.capacity_per_day = 40:" in text
    data = pd.read_parquet(out / "results.parquet")
    assert sorted(data["fulfilment.capacity_per_day"].unique()) == [4, 40]
    assert main(["report", str(out)]) == 0
