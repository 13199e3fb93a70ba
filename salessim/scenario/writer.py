"""The scenario written as commented TOML (the shipped ``default.toml`` is its output)."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

from pydantic import BaseModel

# ---------------------------------------------------------------- TOML writer
_TARGET_DOCS = {
    "monthly_revenue": "Sales revenue target per rep per month, R2.2.1.1 (CNY).",
    "quarterly_revenue": "Per quarter; when not set, 3 x the monthly target (CNY).",
    "annual_revenue": "Per year; when not set, 12 x the monthly target (CNY).",
    "quarterly_new_customers": "New customers per rep per quarter, R2.2.1.2 (customers).",
    "retention_rate": "Minimum retention rate, R2.2.1.2 (fraction).",
    "collection_rate": "Minimum collection rate, R2.2.1.3 (fraction).",
    "uplift": "Extra bonus share for exceeding the target, R2.2.2.1 (fraction).",
    "uplift_min": "Lowest uplift the regulation allows (fraction).",
    "uplift_max": "Highest uplift the regulation allows (fraction).",
}

def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, BaseModel):
        v = v.model_dump(mode="python")
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_toml_value(x)}" for k, x in v.items()) + " }" \
            if v else "{}"
    if isinstance(v, list | tuple):
        if v and isinstance(v[0], dict | BaseModel):
            return "[\n" + "".join(f"  {_toml_value(x)},\n" for x in v) + "]"
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def _key(k: str) -> str:
    return k if k.replace("_", "").replace("-", "").isalnum() and k.isascii() else json.dumps(k)


def _doc(obj: Any) -> str:
    return " ".join((type(obj).__doc__ or "").split("\n\n")[0].split())


def _to_toml(model: BaseModel, comments: bool) -> str:
    lines: list[str] = []
    if comments:
        lines += [
            "# A salessim scenario (R2.1): every parameter, each with its unit. Times are",
            "# working days of the team's calendar or hours of rep time, money is CNY, and",
            "# shares are normalised to sum to 1. Load it with salessim.load_scenario(path).",
            "",
        ]

    def emit(obj: BaseModel, prefix: str) -> None:
        tables = []
        for name, field in type(obj).model_fields.items():
            value = getattr(obj, name)
            if isinstance(value, BaseModel):
                tables.append((name, value))
                continue
            doc = field.description or _TARGET_DOCS.get(name)
            if comments and doc:
                lines.append(f"# {doc}")
            if value is None:
                if comments:
                    lines.append(f"# {_key(name)} = (not set)")
                continue
            lines.append(f"{_key(name)} = {_toml_value(value)}")
        for name, value in tables:
            header = f"{prefix}{name}"
            lines.append("")
            if comments:
                lines.append(f"# {_doc(value)}" if _doc(value) else f"# [{header}]")
            lines.append(f"[{header}]")
            emit(value, header + ".")

    emit(model, "")
    return "\n".join(lines) + "\n"
