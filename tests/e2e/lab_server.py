"""A JupyterLab server for the browser tests, isolated from the user's Jupyter settings.

The server runs from the project's own environment (``sys.executable -m jupyter lab``) on a
free loopback port. Its config, data, runtime and IPython folders are temporary, so a test
neither reads nor changes the settings of whoever runs it, and it serves a temporary folder,
so running cells never touches the committed notebooks. It is stopped by its process group.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "LabServer",
    "free_port",
    "isolated_jupyter_env",
    "get_json",
    "wait_until_serving",
    "stop_process_group",
    "log_tail",
]

SERVER_START_TIMEOUT = 120.0  # seconds; a cold start takes 5-10 s on an idle 2-core machine

# JupyterLab user settings for a quiet, offline test browser: no news or update check (a
# request to the internet and a toast that can cover the widgets).
_USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


# Started in front of the server on Linux: ask the kernel to send the server SIGTERM when the
# test process dies, even by SIGKILL, so an interrupted test run leaves no server behind.
_DIE_WITH_PARENT = (
    "import ctypes, os, signal, sys\n"
    "ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG\n"
    "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])\n"
)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def isolated_jupyter_env(base: Path, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for a Jupyter process whose settings all live under ``base``.

    Sets ``JUPYTER_CONFIG_DIR``, ``JUPYTER_DATA_DIR``, ``JUPYTER_RUNTIME_DIR`` and
    ``IPYTHONDIR`` to new folders under ``base``, drops ``JUPYTER_PATH`` and
    ``JUPYTER_CONFIG_PATH`` (extensions and kernels then come from this environment only), puts
    this Python's ``bin`` folder first on ``PATH`` and writes quiet JupyterLab user settings.
    """
    env = dict(os.environ if environ is None else environ)
    for name in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTER_TOKEN", "JUPYTER_PREFER_ENV_PATH"):
        env.pop(name, None)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        folder = base / name.lower()
        folder.mkdir(parents=True, exist_ok=True)
        env[name] = str(folder)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    settings = Path(env["JUPYTER_CONFIG_DIR"]) / "lab" / "user-settings"
    for name, values in _USER_SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    return env


def get_json(url: str, token: str | None = None, timeout: float = 10.0):
    """GET ``url`` and decode its JSON body (with a Jupyter token header when given)."""
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"token {token}")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


def log_tail(path: Path, chars: int = 4000) -> str:
    """The last ``chars`` characters of a log file ('' if it does not exist)."""
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-chars:]
    except FileNotFoundError:
        return ""


def wait_until_serving(
    base_url: str,
    process: subprocess.Popen,
    log: Path,
    token: str | None = None,
    timeout: float = SERVER_START_TIMEOUT,
) -> None:
    """Poll ``/api/status`` until the server answers; fail early if the process exits."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(
                f"the Jupyter server exited with code {process.returncode} before serving "
                f"{base_url}; its log ends with:\n{log_tail(log)}"
            )
        try:
            get_json(f"{base_url}/api/status", token=token, timeout=2.0)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"the Jupyter server did not answer {base_url}/api/status within {timeout:.0f} s;"
                f" its log ends with:\n{log_tail(log)}"
            )
        time.sleep(0.2)


def stop_process_group(process: subprocess.Popen, grace: float = 15.0) -> None:
    """Stop a process started with ``start_new_session=True`` and everything in its group.

    SIGTERM first (a Jupyter server then shuts its kernels down), SIGKILL after ``grace``
    seconds.
    """
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=grace)
    except ProcessLookupError:
        pass


@dataclass
class LabServer:
    """A running JupyterLab server started by :meth:`start`.

    Attributes
    ----------
    root : Path
        The folder it serves; notebook paths in URLs are relative to it.
    base_url : str
        ``http://127.0.0.1:<port>``, no trailing slash.
    env : dict
        The isolated environment it runs in (see :func:`isolated_jupyter_env`).
    log : Path
        Its combined stdout and stderr.
    """

    root: Path
    base_url: str
    env: dict[str, str]
    log: Path
    process: subprocess.Popen

    @classmethod
    def start(
        cls,
        root: Path,
        workdir: Path,
        env: dict[str, str] | None = None,
        extra_args: Sequence[str] = (),
    ) -> LabServer:
        """Start ``jupyter lab`` serving ``root``, with its settings and log under ``workdir``.

        No token or password (it listens on 127.0.0.1 only), no browser, ``--allow-root``
        when running as root, idle kernels without a page culled after 15 s, and
        ``--expose-app-in-browser`` so that tests can read the
        notebook model (JupyterLab's own UI tests use the same switch).
        """
        env = isolated_jupyter_env(workdir) if env is None else env
        port = free_port()
        log = workdir / "jupyterlab.log"
        launcher = ["-c", _DIE_WITH_PARENT] if sys.platform == "linux" else []
        args = [
            sys.executable,
            *launcher,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--expose-app-in-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            f"--ServerApp.root_dir={root}",
            # The server shuts down the kernels of closed pages by itself, so a long test
            # session keeps a few kernels in memory and no test waits for a shutdown.
            "--MappingKernelManager.cull_idle_timeout=15",
            "--MappingKernelManager.cull_interval=5",
            *(["--allow-root"] if os.geteuid() == 0 else []),
            *extra_args,
        ]
        with log.open("w", encoding="utf-8") as out:
            process = subprocess.Popen(
                args,
                cwd=workdir,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        base_url = f"http://127.0.0.1:{port}"
        server = cls(root=root, base_url=base_url, env=env, log=log, process=process)
        try:
            wait_until_serving(server.base_url, process, log)
        except BaseException:
            server.stop()
            raise
        return server

    def stop(self) -> None:
        """Stop the server and its process group (its kernels are shut down with it)."""
        stop_process_group(self.process)

    def sessions(self) -> list[dict]:
        """The server's open notebook sessions (``/api/sessions``)."""
        return get_json(f"{self.base_url}/api/sessions")
