"""`salessim kpi`: validate a CRM export, then print its scorecard (R2.2.1, R3.3.2)."""

import io
import subprocess
import sys

import pandas as pd
import pytest

from salessim import Ledger, sample_crm_dir
from salessim.cli import main
from salessim.kpi import SCORECARD_COLUMNS, scorecard


def test_csv_output_is_exactly_the_scorecard(capsys):
    assert main(["kpi", str(sample_crm_dir()), "--period", "M", "--by", "team",
                 "--format", "csv"]) == 0
    printed = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype={"period": str})
    assert printed.columns.tolist() == ["period", "team", *SCORECARD_COLUMNS]
    expected = scorecard(Ledger.from_csv_dir(sample_crm_dir()), period="M", by="team")
    pd.testing.assert_frame_equal(printed, expected.reset_index(drop=True), check_dtype=False)


def test_table_output_is_readable(capsys):
    assert main(["kpi", str(sample_crm_dir()), "--period", "Q"]) == 0
    out = capsys.readouterr().out
    assert "2026Q1" in out and "R03" in out
    assert "425,750" in out  # money with thousands separators (R03's 2026Q1 revenue)
    assert "%" in out and "nan" not in out.lower()


def test_out_writes_the_file_and_nothing_to_stdout(tmp_path, capsys):
    out = tmp_path / "card.csv"
    assert main(["kpi", str(sample_crm_dir()), "--format", "csv", "--out", str(out)]) == 0
    assert capsys.readouterr().out == ""
    assert out.read_text(encoding="utf-8").splitlines()[0] == ",".join(
        ["period", "rep_id", *SCORECARD_COLUMNS])
    assert [p.name for p in tmp_path.iterdir()] == ["card.csv"]  # no temporary file left


def test_company_rows_have_no_group_column(capsys):
    assert main(["kpi", str(sample_crm_dir()), "--by", "company", "--format", "csv"]) == 0
    header = capsys.readouterr().out.splitlines()[0].split(",")
    assert header[:2] == ["period", "revenue"]


def test_missing_folder_exits_2_without_traceback(tmp_path):
    res = subprocess.run([sys.executable, "-m", "salessim.cli", "kpi", str(tmp_path / "nope")],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2
    assert "nope" in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize("command", [[], ["kpi"], ["simulate"], ["payouts"], ["coverage"]])
def test_help_explains_each_command(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([*command, "--help"])
    assert info.value.code == 0
    assert "usage: salessim" in capsys.readouterr().out
