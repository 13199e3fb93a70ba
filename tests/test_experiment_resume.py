"""Long runs are safe: a killed or interrupted `salessim compare` resumes where it stopped.

The command is run in a subprocess and killed (SIGKILL, no chance to clean up) once some
chunks are on disk; the same command then finishes the run, computing only what is missing,
and the results equal those of an uninterrupted run with no duplicated rows.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from salessim.experiment.store import ResultsFolder

N_REPS = 10
CMD = [sys.executable, "-m", "salessim.cli", "compare", "default", "--plan", "linear",
       "--plan", "quota_bonus", "--replications", str(N_REPS), "--reps", "3", "--months", "3",
       "--seed", "5", "--no-progress"]
UNITS = 2 * N_REPS  # plans x replications


def _start(out):
    return subprocess.Popen([*CMD, "--out", str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _parts(out) -> list:
    folder = out / "parts"
    return sorted(folder.glob("p*.parquet")) if folder.exists() else []


def _stop_after(proc, out, parts: int, sig: int) -> None:
    deadline = time.monotonic() + 240
    while len(_parts(out)) < parts:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the run ended or stalled before {parts} parts were written: "
                        f"{proc.communicate()}")
        time.sleep(0.02)
    os.killpg(proc.pid, sig)


def _units(out) -> list[tuple[int, int, int]]:
    """The (point, plan, replication) units the part files hold, with repeats."""
    return [(p, k, r) for p, k, a, b, _ in ResultsFolder.part_ranges(out) for r in range(a, b)]


def _run(out) -> subprocess.CompletedProcess:
    return subprocess.run([*CMD, "--out", str(out)], capture_output=True, text=True,
                          timeout=600)


def test_killed_run_resumes_to_the_uninterrupted_result(tmp_path):
    killed = tmp_path / "killed"
    proc = _start(killed)
    _stop_after(proc, killed, 3, signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in _parts(killed)}
    assert 3 <= len(_units(killed)) < UNITS, "the kill came too late to test a resume"
    assert not (killed / "results.parquet").exists()

    resumed = _run(killed)
    assert resumed.returncode == 0, resumed.stderr
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in _parts(killed)}
    units = _units(killed)
    assert len(units) == len(set(units)) == UNITS  # every unit once: nothing done twice
    assert {k: after[k] for k in before} == before  # finished chunks were not recomputed

    whole = tmp_path / "whole"
    clean = _run(whole)
    assert clean.returncode == 0, clean.stderr
    got = pd.read_parquet(killed / "results.parquet")
    want = pd.read_parquet(whole / "results.parquet")
    assert_frame_equal(got, want, check_exact=True)
    assert not got.duplicated(["plan", "replication", "period", "rep_id"]).any()
    assert len(got) == UNITS * 3  # 3 reps, one quarter
    assert resumed.stdout == clean.stdout  # the printed summary too


def test_ctrl_c_keeps_finished_chunks_and_says_how_to_resume(tmp_path):
    out = tmp_path / "run"
    proc = _start(out)
    _stop_after(proc, out, 2, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert "run the same command to resume" in err
    assert "Traceback" not in err
    assert len(_parts(out)) >= 2
