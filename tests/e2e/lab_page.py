"""Drive a notebook in JupyterLab in a real browser, the way a new hire does.

:class:`LabPage` wraps one Playwright page on a JupyterLab server: open a notebook, run all
cells from the Run menu, find an ipywidgets control by its description label, move a slider,
choose a dropdown option, type into a text box, read what an Output area or HTML widget
shows, and list everything that went wrong on the page (:meth:`LabPage.problems`): widgets
that failed to display, tracebacks, JavaScript errors. The notebook model is read through
``window.jupyterapp`` (the server runs with ``--expose-app-in-browser``).
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

__all__ = [
    "BROWSER_ARGS",
    "DEFAULT_TIMEOUT",
    "RUN_ALL_TIMEOUT",
    "LabPage",
    "CHROMIUM_MISSING",
    "chromium_path",
    "parse_number",
]

DEFAULT_TIMEOUT = 60.0  # seconds for any single wait; generous for a busy 2-core machine
RUN_ALL_TIMEOUT = 180.0  # seconds for "Run All Cells" of one notebook

# Flags that work for Debian's chromium in a container (headless is set by Playwright).
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def chromium_path() -> str | None:
    """Path of Debian's ``chromium`` on PATH, or None."""
    return shutil.which("chromium")


CHROMIUM_MISSING = (
    "chromium is not installed: the browser tests need Debian's chromium package (Playwright "
    "cannot download browsers here); `make test` installs it with `apt-get install -y "
    "chromium` when run as root"
)


def parse_number(text: str) -> float:
    """A number as a page shows it: ``"1,234.50"`` -> 1234.5, ``"−3"`` -> -3.0."""
    cleaned = re.sub(r"[,\s\u00a0\u202f]", "", text).replace("\u2212", "-")
    return float(cleaned)


# Console errors that are not errors of the course: each predicate gets the message type,
# its text, the URL it came from and the server's URL, and says why in its comment.
def _external_resource_failed(kind: str, text: str, url: str, base_url: str) -> bool:
    # The browser reports a failed request for a file outside the local server, such as a
    # web font or icon on a CDN; the machine is offline and the page works without it.
    return text.startswith("Failed to load resource") and not url.startswith(base_url)


HARMLESS_CONSOLE = (_external_resource_failed,)


# JavaScript run in the page. `panel(path)` finds the notebook's panel through the app.
_JS_PANEL = """
const panel = (path) => {
  const app = window.jupyterapp;
  if (!app) { return null; }
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === path && w.content && w.sessionContext) { return w; }
  }
  return null;
};
const kernelOf = (p) => p && p.sessionContext.session && p.sessionContext.session.kernel;
const errorOutputs = (p) => {
  const found = [];
  p.content.widgets.forEach((cell, i) => {
    if (cell.model.type !== 'code') { return; }
    for (const out of cell.model.outputs.toJSON()) {
      if (out.output_type === 'error') { found.push([i, out.ename + ': ' + out.evalue]); }
    }
  });
  return found;
};
"""

_JS_KERNEL_IDLE = (
    "(path) => {"
    + _JS_PANEL
    + """
  const k = kernelOf(panel(path));
  return !!k && k.connectionStatus === 'connected' && k.status === 'idle';
}"""
)

# Done when the kernel is idle, no cell shows [*], and every non-empty code cell has run
# (or one raised, after which Run All stops).
_JS_ALL_EXECUTED = (
    "(path) => {"
    + _JS_PANEL
    + """
  const p = panel(path);
  const k = kernelOf(p);
  if (!k || k.status !== 'idle') { return false; }
  let pending = false;
  for (const cell of p.content.widgets) {
    if (cell.model.type !== 'code') { continue; }
    const prompt = cell.node.querySelector('.jp-InputPrompt');
    const text = prompt ? prompt.textContent.trim() : '';
    if (text === '[*]:') { return false; }
    if (cell.model.sharedModel.getSource().trim() && !/^\\[\\d+\\]:$/.test(text)) {
      pending = true;
    }
  }
  return !pending || errorOutputs(p).length > 0;
}"""
)

# Widget outputs carry no data-mime-type in the page (the standard renderers set one). They
# are settled when the widget manager has replaced its "Loading widget..." placeholder with a
# view or an error in each of them.
_JS_TOP_OUTPUTS = """
const topOutputs = (node) => Array.from(node.querySelectorAll(
  '.jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output'
));
const isWidget = (el) => !el.hasAttribute('data-mime-type');
const rendered = (el) => el.classList.contains('jupyter-widgets')
  || !!el.querySelector(':scope > .jupyter-widgets');
"""

_JS_WIDGETS_SETTLED = (
    "() => {"
    + _JS_TOP_OUTPUTS
    + """
  const waiting = (el) => el.childElementCount === 0
    && (el.textContent.trim() === '' || el.textContent.trim().startsWith('Loading widget'));
  return !topOutputs(document).filter(isWidget).some(waiting);
}"""
)

_JS_PROBLEMS = (
    "([path, mime]) => {"
    + _JS_PANEL
    + _JS_TOP_OUTPUTS
    + """
  const problems = [];
  const p = panel(path);
  if (!p) { return ['notebook ' + path + ' is not open']; }
  for (const [i, err] of errorOutputs(p)) {
    problems.push('cell ' + i + ' raised ' + err);
  }
  p.content.widgets.forEach((cell, i) => {
    if (cell.model.type !== 'code') { return; }
    const sent = cell.model.outputs.toJSON().filter((o) => o.data && o.data[mime]).length;
    const shown = topOutputs(cell.node).filter((el) => isWidget(el) && rendered(el)).length;
    if (shown < sent) {
      const text = cell.outputArea.node.textContent.trim().slice(0, 160);
      problems.push('cell ' + i + ': ' + (sent - shown) + ' widget output(s) not rendered by '
        + 'the widget front end (shown as plain text: "' + text + '")');
    }
  });
  for (const el of p.content.node.querySelectorAll('.jp-OutputArea-output.jupyter-widgets')) {
    const text = el.textContent.trim();
    if (text.startsWith('Error displaying widget')) { problems.push(text.slice(0, 200)); }
  }
  const broken = p.content.node.querySelectorAll('.jupyter-widgets-error-widget').length;
  if (broken) {
    problems.push('Error displaying widget: ' + broken + ' widget view(s) failed to render '
      + '(the error icon; the reason is in the console errors)');
  }
  for (const el of p.content.node.querySelectorAll(
    '.widget-output [data-mime-type="application/vnd.jupyter.stderr"]'
  )) {
    const text = el.textContent.trim();
    if (text.includes('Traceback (most recent call last)')
        || /(^|\\n)\\w*(Error|Exception)\\b/.test(text)) {
      const lines = text.split('\\n').filter((l) => l.trim());
      problems.push('a widget callback raised: ' + lines[lines.length - 1]);
    }
  }
  for (const el of p.content.node.querySelectorAll('.salessim-error')) {
    problems.push('a dashboard shows an error: ' + el.textContent.trim().slice(0, 200));
  }
  return problems;
}"""
)

# Text of the Output areas inside the cell output (the displayed widget) holding `el`.
_JS_OUTPUT_TEXT = """(el) => {
  let node = el;
  while (node && !(node.classList.contains('jp-OutputArea-output')
      && node.parentElement && node.parentElement.parentElement
      && node.parentElement.parentElement.classList.contains('jp-Cell-outputArea'))) {
    node = node.parentElement;
  }
  if (!node) { return null; }
  return Array.from(node.querySelectorAll('.widget-output'))
    .map((o) => o.textContent).join('\\n').trim();
}"""


@dataclass
class LabPage:
    """One browser page on a JupyterLab server, with its console collected.

    Parameters
    ----------
    page : playwright.sync_api.Page
        A fresh page; listeners for console messages and page errors are attached here.
    base_url : str
        The server's ``http://127.0.0.1:<port>``.
    server_log : Path, optional
        The server's log, appended to the saved console log of a failing test.
    """

    page: object
    base_url: str
    server_log: Path | None = None
    path: str | None = None
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.set_default_timeout(DEFAULT_TIMEOUT * 1000)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", self._on_page_error)

    # -- collection ---------------------------------------------------------------------

    def _on_console(self, message) -> None:
        url = (message.location or {}).get("url", "")
        self.console.append(f"[{message.type}] {message.text}" + (f"  ({url})" if url else ""))
        if message.type == "error" and not any(
            harmless(message.type, message.text, url, self.base_url)
            for harmless in HARMLESS_CONSOLE
        ):
            self.errors.append(f"console error: {message.text}")

    def _on_page_error(self, error) -> None:
        self.console.append(f"[pageerror] {error}")
        self.errors.append(f"uncaught JavaScript error: {error}")

    # -- notebook -----------------------------------------------------------------------

    def open_notebook(self, path: str) -> None:
        """Open ``path`` (relative to the server root) and wait for its kernel to be idle."""
        self.path = path
        # ?reset: a fresh workspace, so notebooks opened by earlier tests are not reopened.
        self.page.goto(f"{self.base_url}/lab/tree/{quote(path)}?reset")
        self.page.wait_for_function(
            "() => !!window.jupyterapp", timeout=DEFAULT_TIMEOUT * 1000, polling=200
        )
        self.dismiss_news()
        self.wait_kernel_idle()

    def dismiss_news(self) -> None:
        """Answer "No" to JupyterLab's first-run news question if it is showing."""
        button = self.page.locator(".jp-Notification-Toast button", has_text=re.compile("^No$"))
        if button.count():
            button.first.click()

    def _wait(self, script: str, arg, timeout: float, what: str) -> None:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            self.page.wait_for_function(script, arg=arg, timeout=timeout * 1000, polling=100)
        except PlaywrightTimeout:
            seen = "; ".join(self.problems()) or "no errors seen"
            raise AssertionError(f"{self.path}: {what} within {timeout:.0f} s ({seen})") from None

    def wait_kernel_idle(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Wait until the notebook's kernel is connected and idle."""
        self._wait(_JS_KERNEL_IDLE, self._path(), timeout, "the kernel was not idle")

    def run_all_cells(self, timeout: float = RUN_ALL_TIMEOUT) -> float:
        """Run > Run All Cells from the menu bar; wait until done. Returns the seconds taken."""
        started = time.monotonic()
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Run$")).click()
        self.page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Run All Cells$")).click()
        self._wait(_JS_ALL_EXECUTED, self._path(), timeout, "Run All Cells did not finish")
        self._wait(_JS_WIDGETS_SETTLED, None, DEFAULT_TIMEOUT, "the widgets did not render")
        return time.monotonic() - started

    def _path(self) -> str:
        if self.path is None:
            raise RuntimeError("open a notebook first (LabPage.open_notebook)")
        return self.path

    # -- widgets ------------------------------------------------------------------------

    def widget(self, label: str):
        """The one ipywidgets control whose description label reads ``label``."""
        locator = self.page.locator(
            f".widget-inline-hbox:has(> .widget-label:text-is({json.dumps(label)}))"
        )
        locator.first.wait_for(state="attached")
        count = locator.count()
        if count != 1:
            raise AssertionError(f"expected one widget labelled {label!r}, found {count}")
        return locator.first

    def move_slider(self, label: str, steps: int) -> str:
        """Press the arrow key ``abs(steps)`` times on the slider's handle; return its readout."""
        handle = self.widget(label).locator(".noUi-handle")
        handle.scroll_into_view_if_needed()
        handle.focus()
        for _ in range(abs(steps)):
            handle.press("ArrowRight" if steps > 0 else "ArrowLeft")
        return self.control_value(label)

    def set_slider(self, label: str, value: float) -> str:
        """Type ``value`` into the slider's readout and press Enter; return the readout."""
        readout = self.widget(label).locator(".widget-readout")
        readout.click()
        self.page.keyboard.press("ControlOrMeta+A")
        self.page.keyboard.type(str(value))
        self.page.keyboard.press("Enter")
        return self.control_value(label)

    def choose(self, label: str, option: str) -> str:
        """Choose the option whose text is ``option`` in a dropdown; return the choice."""
        self.widget(label).locator("select").select_option(label=option)
        return self.control_value(label)

    def type_text(self, label: str, text: str) -> str:
        """Replace the text of a text box and press Enter; return the box's value."""
        box = self.widget(label).locator("input, textarea").first
        box.fill(text)
        box.press("Enter")
        return self.control_value(label)

    def control_value(self, label: str) -> str:
        """What a control shows as its value: slider readout, chosen option, or box text."""
        control = self.widget(label)
        for selector, read in (
            (".widget-readout", lambda el: el.text_content()),
            ("select", lambda el: el.evaluate("s => s.options[s.selectedIndex]?.text ?? ''")),
            ("input, textarea", lambda el: el.input_value()),
            (".widget-toggle-button.mod-active", lambda el: el.text_content()),
        ):
            found = control.locator(selector)
            if found.count():
                return (read(found.first) or "").strip()
        raise AssertionError(f"the widget labelled {label!r} has no value this helper can read")

    def output_text(self, label: str) -> str:
        """Text of the Output areas of the displayed widget that contains control ``label``.

        For ``interactive``/``interact`` this is what the function printed.
        """
        text = self.widget(label).evaluate(_JS_OUTPUT_TEXT)
        if text is None:
            raise AssertionError(f"the widget labelled {label!r} is not in a cell's output")
        return text

    def html_text(self, label: str) -> str:
        """Text of the HTML (or HTMLMath) widget whose description label is ``label``."""
        return (self.widget(label).locator(".widget-html-content").text_content() or "").strip()

    # -- checks -------------------------------------------------------------------------

    def outputs_text(self) -> str:
        """Text of all cell outputs of the open notebook."""
        return "\n".join(self.page.locator(".jp-Notebook .jp-Cell-outputArea").all_text_contents())

    def problems(self) -> list[str]:
        """Everything wrong on the page so far, as readable lines (empty when all is well).

        Widget outputs the front end could not render ("Error displaying widget", or left as
        plain text because the widget extension is missing), cells that raised, tracebacks
        in widget Output areas, a dashboard's own error message (CSS class
        ``salessim-error``, :func:`salessim.widgets.errors.shows_errors`), uncaught
        JavaScript errors and console errors (except the harmless ones in
        ``HARMLESS_CONSOLE``).
        """
        found = Counter(self.page.evaluate(_JS_PROBLEMS, [self._path(), WIDGET_MIME]))
        found.update(self.errors)
        return [line if n == 1 else f"{line} (x{n})" for line, n in found.items()]

    def assert_no_problems(self) -> None:
        """Fail with the list of :meth:`problems` if there are any."""
        found = self.problems()
        if found:
            lines = "\n  - ".join(found)
            raise AssertionError(
                f"{self.path}: {len(found)} problem(s) in the browser:\n  - {lines}"
            )

    def save_artifacts(self, folder: Path, stem: str) -> list[Path]:
        """Save a screenshot and the console log (and server log) as ``folder/stem.png|.log``."""
        folder.mkdir(parents=True, exist_ok=True)
        saved = []
        shot = folder / f"{stem}.png"
        try:
            self.page.screenshot(path=str(shot), full_page=True, timeout=15_000)
            saved.append(shot)
        except Exception as exc:  # the page may be the thing that broke
            self.console.append(f"[screenshot failed] {exc}")
        text = [f"page: {self.page.url if not self.page.is_closed() else '(closed)'}", ""]
        text += self.console
        if self.server_log is not None and self.server_log.exists():
            tail = self.server_log.read_text(encoding="utf-8", errors="replace")[-20_000:]
            text += ["", "--- end of the JupyterLab server log ---", tail]
        log = folder / f"{stem}.log"
        log.write_text("\n".join(text) + "\n", encoding="utf-8")
        saved.append(log)
        return saved
