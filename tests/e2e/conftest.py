"""Fixtures for the browser tests of the course (R3.3.1 training, R3.3.2 tools).

One JupyterLab server and one headless Chromium per test process (an xdist worker starts its
own), one fresh browser page per test. The server serves a temporary copy of ``notebooks/``,
so running cells never changes the committed notebooks. A failing test that used a page
leaves a screenshot and the browser console log in ``test-artifacts/``.
"""

from __future__ import annotations

import re

import pytest
from lab_page import BROWSER_ARGS, CHROMIUM_MISSING, LabPage, chromium_path
from lab_server import LabServer
from notebook_files import copy_notebooks

ARTIFACTS = "test-artifacts"


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    """JupyterLab on a free loopback port, serving a temporary copy of ``notebooks/``."""
    work = tmp_path_factory.mktemp("jupyterlab")
    server = LabServer.start(copy_notebooks(work / "notebooks"), work)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, driven by Playwright; one per test process."""
    path = chromium_path()
    if path is None:
        pytest.skip(CHROMIUM_MISSING)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=path, headless=True, args=BROWSER_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def lab(browser, lab_server):
    """A fresh page in its own browser context on the session's server."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield LabPage(context.new_page(), lab_server.base_url, server_log=lab_server.log)
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Save a screenshot and the console log of a failing test's page in test-artifacts/."""
    report = yield
    page = getattr(item, "funcargs", {}).get("lab")
    if report.failed and report.when in ("setup", "call") and isinstance(page, LabPage):
        stem = re.sub(r"[^\w.-]+", "_", item.nodeid).strip("_")
        saved = page.save_artifacts(item.config.rootpath / ARTIFACTS, stem)
        report.sections.append(("browser artifacts", "\n".join(str(p) for p in saved)))
    return report
