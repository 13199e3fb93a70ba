"""The README's examples run as written, so they cannot rot."""

import re
import shlex
from pathlib import Path

import pytest

from salessim.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.DOTALL)


def test_quick_start_is_exactly_two_commands():
    quick = README.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = [line.split("#")[0].strip() for line in _blocks("bash")[0].splitlines()]
    assert "```bash" in quick
    assert [c for c in commands if c] == ["make lab", "make test"]


def test_python_examples_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for block in _blocks("python"):
        exec(compile(block, "README.md", "exec"), {})  # noqa: S102
    assert (tmp_path / "run1" / "deals.csv").exists()


def _cli_lines() -> list[list[str]]:
    text = _blocks("bash")[1].replace("\\\n", " ")
    lines = [shlex.split(line.split("#")[0]) for line in text.splitlines()]
    return [words[1:] for words in lines if words and words[0] == "salessim"]


@pytest.mark.parametrize("argv", _cli_lines(), ids=lambda a: " ".join(a[:2]))
def test_command_line_examples_run(argv, tmp_path, monkeypatch, capsys):
    # run in a copy of the layout the README assumes: the repository root for the sample
    # export, and the run1 folder an earlier line writes
    monkeypatch.chdir(ROOT)
    argv = [str(tmp_path / a) if a in ("run1", "run2", "scorecard.csv") else a for a in argv]
    if argv[:2] == ["kpi", str(tmp_path / "run1")]:
        assert main(["simulate", "default", "--seed", "1", "--months", "2",
                     "--out", str(tmp_path / "run1")]) == 0
    if argv == ["--help"]:
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 0
        return
    if argv[0] == "coverage":
        argv = ["coverage", "--root", str(ROOT)]
    assert main(argv) == 0, capsys.readouterr().err
