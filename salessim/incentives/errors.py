"""Plan errors: every problem names its field path and value and says what was expected."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from .components import COMPONENT_TYPES, Level, Segment, Tier, Weights

_NESTED = {"weights": Weights, "where": Segment, "tiers": Tier, "levels": Level}


class PlanError(ValueError):
    """A pay plan that cannot be used.

    ``problems`` lists one line per problem, each starting with the field path, for example
    ``components[2].tiers[1].rate: -0.1 is not allowed: must be >= 0``.
    """

    def __init__(self, problems: Sequence[str], source: str = "plan") -> None:
        self.problems = tuple(problems)
        self.source = source
        if len(self.problems) == 1:
            text = f"{source}: {self.problems[0]}"
        else:
            lines = "\n".join(f"  {p}" for p in self.problems)
            text = f"{source} has {len(self.problems)} problems:\n{lines}"
        super().__init__(text)


def problems_of(exc: ValidationError) -> list[str]:
    """Turn pydantic's errors into one readable line each, with the field path first."""
    out: list[str] = []
    errors = exc.errors(include_url=False)
    for err in errors:
        loc, kind, ctx = err["loc"], err["type"], err.get("ctx") or {}
        if kind == "too_short" and any(e["loc"][:len(loc)] == loc and len(e["loc"]) > len(loc)
                                       for e in errors):
            continue  # the list is short only because its bad items were reported
        path = _path(loc)
        if kind == "value_error":
            for line in str(ctx.get("error", err["msg"])).splitlines():
                out.append(_join(path, line))
        elif kind == "union_tag_invalid":
            out.append(f"{path}.kind: {ctx.get('tag')!r} is not allowed: unknown component "
                       f"kind; kinds are {', '.join(COMPONENT_TYPES)}")
        elif kind == "union_tag_not_found":
            out.append(f"{path}.kind: missing: every component needs a kind, one of "
                       f"{', '.join(COMPONENT_TYPES)}")
        elif kind == "missing":
            out.append(f"{path}: missing: this field is required")
        elif kind == "extra_forbidden":
            out.append(f"{path}: {err['input']!r} is not allowed: unknown field"
                       f"{_allowed(loc)}")
        else:
            out.append(f"{path}: {err['input']!r} is not allowed: {_reason(kind, ctx, err)}")
    return out


def _path(loc: tuple[Any, ...]) -> str:
    """``('components', 2, 'commission', 'tiers', 1, 'rate')`` -> ``components[2].tiers[1].rate``
    (the component kind that pydantic adds to the location is dropped)."""
    text = ""
    for i, part in enumerate(loc):
        if isinstance(part, int):
            text += f"[{part}]"
        elif i >= 2 and loc[i - 2] == "components" and isinstance(loc[i - 1], int):
            continue
        else:
            text += f".{part}" if text else str(part)
    return text


def _join(path: str, line: str) -> str:
    if line.startswith(("[", ".", ":")):
        return path + line
    return f"{path}: {line}" if path else line


def _allowed(loc: tuple[Any, ...]) -> str:
    from .plan import Plan

    parents = [p for p in loc[:-1] if isinstance(p, str)]
    model = COMPONENT_TYPES.get(parents[-1]) or _NESTED.get(parents[-1]) if parents else Plan
    if model is None:
        return ""
    names = [n for n in model.model_fields if n != "kind"]
    if parents and parents[-1] == "commission":
        names.append("rate")
    return f"; fields are {', '.join(names)}"


def _reason(kind: str, ctx: dict[str, Any], err: dict[str, Any]) -> str:
    simple = {
        "greater_than_equal": "must be >= {ge}",
        "greater_than": "must be > {gt}",
        "less_than_equal": "must be <= {le}",
        "less_than": "must be < {lt}",
        "literal_error": "must be {expected}",
        "too_short": "must have at least {min_length} item(s)",
        "string_too_short": "must not be empty",
    }
    if kind in simple:
        return simple[kind].format(**{k: _num(v) for k, v in ctx.items()})
    msg = err["msg"]
    return msg[:1].lower() + msg[1:]


def _num(v: Any) -> Any:
    return int(v) if isinstance(v, float) and v.is_integer() else v
