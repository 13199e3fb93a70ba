"""The README's first command opens the course (R3.3.1 training, R3.3.2 tools).

The quick start promises that ``make lab`` starts JupyterLab on the curriculum. This test reads
that command from the README and runs it as written, adding only the two make variables the
README documents (``LAB_FLAGS=--no-browser`` and a free ``PORT``), with Jupyter's settings in a
temporary folder. It needs no browser.
"""

from __future__ import annotations

import http.client
import re
import secrets
import shlex
import shutil
import subprocess
from urllib.parse import urlsplit

import pytest
from lab_server import (
    free_port,
    get_json,
    isolated_jupyter_env,
    log_tail,
    stop_process_group,
    wait_until_serving,
)
from notebook_files import REPO

START_PAGE = "notebooks/00_start_here.ipynb"


def quick_start_command() -> list[str]:
    """The first command of the README's "Quick start" code block, without its comment."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[-1]
    block = re.search(r"```[a-z]*\n(.*?)```", section, re.DOTALL)
    assert block, "README.md has no code block under '## Quick start'"
    first = next(line for line in block.group(1).splitlines() if line.strip())
    return shlex.split(first, comments=True)


def test_the_quick_start_opens_with_make_lab():
    command = quick_start_command()
    assert command[0] == "make" and "lab" in command[1:], command


def test_readme_first_command_serves_the_course(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make is not installed: the README's commands need it")
    stamp = subprocess.run(["make", "-q", ".venv/.installed"], cwd=REPO, capture_output=True)
    if stamp.returncode != 0:
        pytest.skip(
            "the .venv stamp is older than pyproject.toml, so `make lab` would reinstall the "
            "environment first; run `make test` (it brings the stamp up to date)"
        )
    port = free_port()
    token = secrets.token_hex(16)
    env = isolated_jupyter_env(tmp_path)
    env["JUPYTER_TOKEN"] = token  # the README's server asks for a token; this one is known
    for name in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):  # when run from `make test`
        env.pop(name, None)
    log = tmp_path / "make-lab.log"
    command = [*quick_start_command(), "LAB_FLAGS=--no-browser", f"PORT={port}"]
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base_url, process, log, token=token)
        listing = get_json(f"{base_url}/api/contents/notebooks", token=token)
        names = {item["name"] for item in listing["content"]}
        assert "00_start_here.ipynb" in names, f"{sorted(names)}\n{log_tail(log)}"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/", headers={"Authorization": f"token {token}"})
        landing = connection.getresponse()
        connection.close()
    finally:
        stop_process_group(process)
    # The browser the README opens lands on lesson 00.
    assert landing.status in (301, 302, 303, 307), landing.status
    assert urlsplit(landing.getheader("Location", "")).path == f"/lab/tree/{START_PAGE}"
    assert process.returncode is not None
    assert "pip install" not in log.read_text(encoding="utf-8"), "make lab reinstalled .venv"
