"""Messages for scenarios that cannot be used: every problem with its dotted path, the value
and what is allowed."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import typing
from typing import Any

from pydantic import BaseModel, ValidationError


class ScenarioError(ValueError):
    """A scenario that cannot be used; ``problems`` lists every problem found.

    Each problem names the field by its dotted path, shows the value and says what is
    allowed. The command line prints the message and exits with code 2.
    """

    def __init__(self, problems: list[str], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        where = f"scenario {source}" if source else "scenario"
        if len(self.problems) == 1:
            text = f"{where}: {self.problems[0]}"
        else:
            text = f"{where} has {len(self.problems)} problems:\n" + "\n".join(
                f"  {p}" for p in self.problems
            )
        super().__init__(text)


# ---------------------------------------------------------------- messages
_REASONS = {
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "date_type": "must be a date, written as a TOML date such as 2026-01-01 (no quotes)",
    "date_parsing": "must be a date, written as a TOML date such as 2026-01-01 (no quotes)",
    "string_type": "must be text (in quotes)",
    "bool_type": "must be true or false",
    "dict_type": "must be a table",
    "model_type": "must be a table",
    "model_attributes_type": "must be a table",
    "list_type": "must be an array",
    "missing": "is required",
}


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, BaseModel):
        return "{...}"
    return repr(value)


def _path(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _model_at(loc: tuple, root: type[BaseModel]) -> type[BaseModel] | None:
    cls: type[BaseModel] | None = root
    for part in loc:
        if isinstance(part, int) or cls is None:
            continue
        field = cls.model_fields.get(part)
        if field is None:
            return None
        ann = field.annotation
        args = typing.get_args(ann)
        ann = args[0] if args and typing.get_origin(ann) is list else ann
        cls = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None
    return cls


def _problems(exc: ValidationError, root: type[BaseModel]) -> list[str]:
    out = []
    for err in exc.errors():
        loc, kind, ctx = tuple(err["loc"]), err["type"], err.get("ctx") or {}
        path = _path(loc) or "scenario"
        if kind == "extra_forbidden":
            model = _model_at(loc[:-1], root)
            allowed = sorted(model.model_fields) if model else []
            hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            text = f"{path}: unknown key"
            if hint:
                text += f" (did you mean {'.'.join(map(str, loc[:-1] + (hint[0],)))}?)"
            if allowed:
                text += f"; allowed here: {', '.join(allowed)}"
            out.append(text)
            continue
        if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
            op = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=",
                  "less_than": "<"}[kind]
            bound = next(iter(ctx.values()))
            reason = f"must be {op} {_show(bound)}"
        elif kind == "literal_error":
            reason = f"must be one of {ctx.get('expected')}"
        elif kind in ("value_error", "assertion_error"):
            reason = str(ctx.get("error", err["msg"]))
        else:
            reason = _REASONS.get(kind, err["msg"][:1].lower() + err["msg"][1:])
        if kind == "missing":
            out.append(f"{path}: {reason}")
        else:
            out.append(f"{path}: {_show(err['input'])} is not allowed: {reason}")
    return out


def _cross_check(s: Any) -> list[str]:
    """Problems that involve more than one field: every category a channel can produce must
    have scoring points, and every company size a list price and a budget."""
    out = []
    for name in ("web", "trade_show", "referral"):
        ch = getattr(s.channels, name)
        for attr, table, where in (
            ("industry", s.scoring.industry, "scoring.industry"),
            ("company_size", s.scoring.company_size, "scoring.company_size"),
            ("region", s.scoring.region, "scoring.region"),
            ("company_size", s.pricing.list_price, "pricing.list_price"),
            ("company_size", s.leads.budget_median, "leads.budget_median"),
        ):
            for key, share in getattr(ch, attr).items():
                if share > 0 and key not in table:
                    out.append(f"channels.{name}.{attr}.{key}: {_show(key)} has no entry in "
                               f"{where}; add {where}.{key} or remove it from the mix")
    for i, show in enumerate(s.channels.trade_show.shows):
        if show.date < s.calendar.start - dt.timedelta(days=366):
            out.append(f"channels.trade_show.shows[{i}].date: {show.date.isoformat()} is not "
                       "allowed: must be within a year before calendar.start or later")
    if s.decision.rule == "procedure" and s.decision.incentive_sensitivity > 0:
        out.append(f"decision.incentive_sensitivity: {_show(s.decision.incentive_sensitivity)} "
                   "is not allowed with decision.rule = \"procedure\", which ignores pay; use "
                   "decision.rule = \"pay_aware\"")
    c = s.careers
    if c.quarters_met_needed > c.window:
        out.append(f"careers.quarters_met_needed: {c.quarters_met_needed} is not allowed: must "
                   f"be <= careers.window ({c.window}), or nobody could ever be promoted")
    if s.pricing.standard_discount > s.pricing.max_discount:
        out.append(f"pricing.standard_discount: {_show(s.pricing.standard_discount)} is not "
                   f"allowed: must be <= pricing.max_discount ({_show(s.pricing.max_discount)})")
    return out
