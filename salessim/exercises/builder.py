"""Build the learner's exercise notebooks from the worked answers (one source, no drift).

Each ``answers/NN_topic.ipynb`` is the master. In its code cells, the solution of a task sits
between two lines ``# BEGIN SOLUTION`` and ``# END SOLUTION`` (each alone on its line, at the
indentation of the code). :func:`build` writes ``exercises/NN_topic.ipynb`` from it:

- each solution region becomes one placeholder at the region's indentation: ``name = ...``
  for the last variable the region assigns (``revenue_q1 = ...``), ``...`` for a function
  body (a region with ``return``), and for a region that defines a function, that function
  with its docstring and the body ``...``;
- the outputs, execution counts and execution timings of **all** code cells are cleared, so
  that the learner starts from a clean notebook: stored outputs would show the master's
  results (printed answers, "Correct" feedback) further down;
- everything else (markdown, cell ids, metadata) is kept exactly.

The result is deterministic: the same master gives a byte-identical file, written the way
Jupyter writes notebooks (JSON, sorted keys, indentation 1). The master is validated strictly
by nbval with its outputs; an exercise notebook only has to run top to bottom.
"""

from __future__ import annotations

import ast
import copy
import os
import re
import textwrap
from pathlib import Path

from ..ledger import atomic_write_text

__all__ = ["BEGIN", "END", "BuildError", "build", "build_notebook", "render", "stale",
           "strip_solutions"]

BEGIN = "# BEGIN SOLUTION"
END = "# END SOLUTION"
_NAME = re.compile(r"\d\d_\w+\.ipynb")


class BuildError(ValueError):
    """A master notebook whose solution regions cannot be turned into placeholders."""


def strip_solutions(source: str, where: str = "<cell>") -> str:
    """Replace every solution region of a code cell's source with its placeholder.

    Parameters
    ----------
    source : str
        The cell's code.
    where : str
        Where the cell is, for error messages (``"answers/06_kpis.ipynb, cell 5"``).

    Raises
    ------
    BuildError
        For a region without its end marker, nested or stray markers, an empty region, or a
        region that is not valid Python; the message names ``where`` and the line.
    """
    lines = source.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        text = lines[i].strip()
        if text == END:
            raise BuildError(f"{where}, line {i + 1}: {END!r} without {BEGIN!r} before it")
        if text != BEGIN:
            out.append(lines[i])
            i += 1
            continue
        start = i
        i += 1
        while i < len(lines) and lines[i].strip() not in (BEGIN, END):
            i += 1
        if i == len(lines) or lines[i].strip() == BEGIN:
            raise BuildError(f"{where}, line {start + 1}: {BEGIN!r} needs a matching {END!r} "
                             "before the next region or the end of the cell")
        indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
        region = "\n".join(lines[start + 1 : i])
        placeholder = _placeholder(region, f"{where}, line {start + 2}")
        out.extend(indent + line for line in placeholder.split("\n"))
        i += 1
    return "\n".join(out)


def _placeholder(region: str, where: str) -> str:
    code = textwrap.dedent(region)
    try:
        body = ast.parse(code).body
    except SyntaxError as exc:
        raise BuildError(f"{where}: the solution is not valid Python ({exc.msg}, "
                         f"line {exc.lineno} of the region)") from None
    if not body:
        raise BuildError(f"{where}: empty solution region")
    if any(isinstance(node, ast.Return) for node in body):
        return "..."
    last = body[-1]
    if isinstance(last, ast.FunctionDef | ast.AsyncFunctionDef):
        stub = copy.deepcopy(last)
        doc = ast.get_docstring(last, clean=False)
        stub.body = ([ast.Expr(ast.Constant(doc))] if doc is not None else []) + [
            ast.Expr(ast.Constant(...))
        ]
        return ast.unparse(stub)
    for node in reversed(body):
        if isinstance(node, ast.Assign):
            targets = " = ".join(ast.get_source_segment(code, t) for t in node.targets)
            return f"{targets} = ..."
        if isinstance(node, ast.AnnAssign):
            target = ast.get_source_segment(code, node.target)
            return f"{target}: {ast.get_source_segment(code, node.annotation)} = ..."
        if isinstance(node, ast.AugAssign):
            return f"{ast.get_source_segment(code, node.target)} = ..."
    return "..."


def build_notebook(nb, where: str = "<notebook>"):
    """Return the exercise version of a master notebook (an ``nbformat`` NotebookNode).

    The input is not modified. Raises :class:`BuildError` if the master has no solution
    region at all (it would give the learner nothing to do).
    """
    out = copy.deepcopy(nb)
    regions = 0
    for k, cell in enumerate(out.cells, start=1):
        if cell.cell_type != "code":
            continue
        regions += sum(line.strip() == BEGIN for line in cell.source.split("\n"))
        cell.source = strip_solutions(cell.source, f"{where}, cell {k}")
        cell.outputs = []
        cell.execution_count = None
        cell.metadata.pop("execution", None)  # timings of the master's run
    if not regions:
        raise BuildError(f"{where}: no solution regions ({BEGIN!r} ... {END!r}) found")
    return out


def render(master: str | os.PathLike) -> str:
    """The text of the exercise notebook built from the master notebook file ``master``."""
    import nbformat

    master = Path(master)
    nb = nbformat.read(master, as_version=4)
    text = nbformat.writes(build_notebook(nb, str(master)))
    return text if text.endswith("\n") else text + "\n"


def _masters(answers_dir: Path) -> list[Path]:
    if not answers_dir.is_dir():
        raise FileNotFoundError(f"{answers_dir}: no such folder (expected the master "
                                "notebooks answers/NN_topic.ipynb)")
    return sorted(p for p in answers_dir.iterdir() if _NAME.fullmatch(p.name))


def build(answers_dir: str | os.PathLike = "answers",
          exercises_dir: str | os.PathLike = "exercises") -> list[Path]:
    """Build ``exercises_dir/NN_topic.ipynb`` from every ``answers_dir/NN_topic.ipynb``.

    Only files whose content changes are written (atomically).

    Returns
    -------
    list of Path
        The exercise notebooks written.
    """
    answers_dir, exercises_dir = Path(answers_dir), Path(exercises_dir)
    texts = {exercises_dir / m.name: render(m) for m in _masters(answers_dir)}
    exercises_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path, text in texts.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            atomic_write_text(path, text)
            written.append(path)
    return written


def stale(answers_dir: str | os.PathLike = "answers",
          exercises_dir: str | os.PathLike = "exercises") -> list[str]:
    """Describe every exercise notebook that differs from a fresh build; empty when in sync.

    Lists exercise notebooks that are missing, that differ from their master's build, and
    that have no master.
    """
    answers_dir, exercises_dir = Path(answers_dir), Path(exercises_dir)
    masters = _masters(answers_dir)
    problems = []
    for m in masters:
        path = exercises_dir / m.name
        if not path.exists():
            problems.append(f"{path}: missing (build it from {m})")
        elif path.read_text(encoding="utf-8") != render(m):
            problems.append(f"{path}: differs from a fresh build of {m}")
    names = {m.name for m in masters}
    if exercises_dir.is_dir():
        problems += [f"{p}: no master {answers_dir / p.name}"
                     for p in sorted(exercises_dir.iterdir())
                     if _NAME.fullmatch(p.name) and p.name not in names]
    return problems
