"""Plans from built-in names, TOML files and dicts, and plans back to TOML.

A plan file is TOML with the plan's fields at the top and one ``[[components]]`` table per
component, for example::

    name = "accelerated"
    description = "8% up to the quarterly target, 16% above it; no pay below 50%."
    target_pay = 0.08

    [[components]]
    kind = "commission"
    period = "Q"
    measure = "revenue"
    tiers = [[0.0, 0.08], [1.0, 0.16]]   # [attainment from, marginal rate]
    threshold = 0.5

When ``name`` is left out, the file's stem is used (``custom`` for a plan given as a dict,
such as an inline plan table in a scenario).
"""

from __future__ import annotations

import json
import math
import os
import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from .builtin import BUILTIN_PLANS, builtin_plan
from .errors import PlanError
from .plan import Plan


def load_plan(spec: Plan | str | os.PathLike | Mapping[str, Any]) -> Plan:
    """A plan from a built-in name, a TOML file, a dict, or a plan (returned as is).

    Parameters
    ----------
    spec : Plan, str, path or mapping
        A built-in name (``linear``, ``collected``, ``quota_bonus``, ``accelerator``,
        ``capped``, ``regulation``; see :func:`builtin_plan`), the path of a ``.toml`` plan
        file, or the plan as a dict. A file's plan is named after the file and a dict's
        ``custom`` unless they give a ``name``.

    Returns
    -------
    Plan

    Raises
    ------
    PlanError
        For an unknown name, a missing or unreadable file, invalid TOML, or an invalid
        plan; each problem names the field path and the value, for example
        ``components[2].tiers[1].rate: -0.1 is not allowed: must be >= 0``.

    Examples
    --------
    >>> load_plan("quota_bonus").periods
    ('Q',)
    >>> load_plan({"name": "flat", "components": [{"kind": "commission", "rate": 0.05}]}).name
    'flat'
    """
    if isinstance(spec, Plan):
        return spec
    if isinstance(spec, Mapping):
        return _from_dict({"name": "custom", **spec}, "plan")
    if not isinstance(spec, str | os.PathLike):
        raise TypeError(f"a plan is a Plan, a built-in name, a .toml path or a dict, "
                        f"not {type(spec).__name__}")
    if isinstance(spec, str) and spec in BUILTIN_PLANS:
        return builtin_plan(spec)
    path = Path(spec)
    if not path.is_file():
        raise PlanError([f"{str(spec)!r} is neither a built-in plan "
                         f"({', '.join(BUILTIN_PLANS)}) nor an existing .toml file"],
                        source="unknown plan")
    source = f"plan file {path}"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError([f"cannot be read: {exc}"], source=source) from None
    except tomllib.TOMLDecodeError as exc:
        raise PlanError([f"not valid TOML: {exc}"], source=source) from None
    data.setdefault("name", path.stem)
    return _from_dict(data, source)


def _from_dict(data: dict[str, Any], source: str) -> Plan:
    bad = [k for k in data if not isinstance(k, str)]
    if bad:
        raise PlanError([f"{k!r} is not allowed: field names are strings" for k in bad], source)
    try:
        return Plan(**data)
    except PlanError as exc:
        raise PlanError(exc.problems, source) from None


def plan_to_toml(plan: Plan) -> str:
    """The plan as TOML text, in the format :func:`load_plan` reads."""
    data = plan.to_dict()
    components = data.pop("components")
    lines = [f"{key} = {_toml(v)}" for key, v in data.items()]
    for comp in components:
        lines += ["", "[[components]]"] + [f"{key} = {_toml(v)}" for key, v in comp.items()]
    return "\n".join(lines) + "\n"


def _toml(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        return repr(v) if math.isfinite(v) else ("inf" if v > 0 else "-inf")
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # JSON string escapes are valid TOML
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{k} = {_toml(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"cannot write {v!r} ({type(v).__name__}) as TOML")
