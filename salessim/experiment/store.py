"""The results folder of an experiment: safe to kill, resumable, never mixed with another.

Layout::

    DIR/config.json        what was run: scenario, plans, seed, grid, period, by; and its hash
    DIR/parts/*.parquet    one file per finished chunk of replications (one grid point, one plan)
    DIR/results.parquet    every row, sorted, written when the run completes

Every file is written to a temporary name in the same folder and renamed, so a file either
exists whole or not at all. A part's name records what it holds (grid point, plan and the
half-open range of replications), so a new run with the same configuration skips what is
there and computes only the missing replications, whatever the chunk sizes were. A folder
made for another configuration is refused with :class:`ConfigMismatchError`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from ..ledger import atomic_write_text

__all__ = ["ConfigMismatchError", "ResultsFolder", "config_hash", "plain_config", "HASHED_KEYS"]

HASHED_KEYS: tuple[str, ...] = ("salessim", "scenario", "plans", "seed", "grid", "period", "by")
"""The configuration entries that identify an experiment (``replications`` is not one: a
finished run can be extended with more replications)."""

_PART = re.compile(r"^p(\d+)-k(\d+)-r(\d+)-(\d+)\.parquet$")


class ConfigMismatchError(ValueError):
    """The results folder holds another experiment; the command line exits with code 2."""


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"cannot record {type(value).__name__} {value!r} in config.json")


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=_plain,
                      separators=(",", ":"))


def config_hash(config: dict[str, Any]) -> str:
    """SHA-256 of the identifying entries (:data:`HASHED_KEYS`) of ``config``."""
    return hashlib.sha256(_canonical({k: config.get(k) for k in HASHED_KEYS})
                          .encode("utf-8")).hexdigest()


def plain_config(config: dict[str, Any]) -> dict[str, Any]:
    """``config`` as JSON reads it back (dates as ISO text, tuples as lists), with its
    ``hash``: the same in memory as in a results folder's ``config.json``."""
    out = json.loads(_canonical(config))
    out["hash"] = config_hash(out)
    return out


def _atomic_parquet(frame: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class ResultsFolder:
    """A results folder for one experiment configuration.

    Opening a folder creates it (and its ``config.json``) if needed; an existing folder must
    hold the same configuration, or :class:`ConfigMismatchError` names what differs.

    Parameters
    ----------
    path : str or Path
        The folder.
    config : dict
        The experiment's configuration: the entries of :data:`HASHED_KEYS` plus
        ``replications`` and anything descriptive. Values must be JSON-able (dates allowed).
    """

    def __init__(self, path: str | os.PathLike, config: dict[str, Any]) -> None:
        self.path = Path(path)
        self.parts = self.path / "parts"
        config = plain_config(config)
        cfg_file = self.path / "config.json"
        if cfg_file.exists():
            old = self.read_config(self.path)
            if old.get("hash") != config["hash"]:
                differ = [k for k in HASHED_KEYS
                          if _canonical(old.get(k)) != _canonical(config.get(k))]
                raise ConfigMismatchError(
                    f"{self.path} holds the results of a different experiment (it differs in: "
                    f"{', '.join(differ) or 'its hash'}); give another --out folder, or delete "
                    f"{self.path} to start again")
            config = {**config, "replications": max(int(old.get("replications", 0)),
                                                    int(config.get("replications", 0)))}
        self.parts.mkdir(parents=True, exist_ok=True)
        for stale in self.parts.glob(".*.tmp"):  # left by a killed writer
            stale.unlink(missing_ok=True)
        atomic_write_text(cfg_file, json.dumps(config, indent=2, ensure_ascii=False,
                                               sort_keys=True) + "\n")
        self.config = config

    @staticmethod
    def read_config(path: str | os.PathLike) -> dict[str, Any]:
        """The ``config.json`` of a results folder."""
        cfg_file = Path(path) / "config.json"
        try:
            return json.loads(cfg_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise FileNotFoundError(f"{path} is not a results folder: it has no config.json"
                                    ) from None
        except json.JSONDecodeError as exc:
            raise ValueError(f"{cfg_file}: not valid JSON ({exc})") from None

    # ------------------------------------------------------------ parts
    @staticmethod
    def part_ranges(path: str | os.PathLike) -> list[tuple[int, int, int, int, Path]]:
        """``(point, plan, start, stop, file)`` of every finished part, in name order."""
        out = []
        for f in sorted((Path(path) / "parts").glob("p*.parquet")):
            m = _PART.match(f.name)
            if m:
                p, k, a, b = map(int, m.groups())
                out.append((p, k, a, b, f))
        return out

    def done(self) -> set[tuple[int, int, int]]:
        """The finished ``(point, plan, replication)`` units."""
        return {(p, k, r) for p, k, a, b, _ in self.part_ranges(self.path) for r in range(a, b)}

    def write_part(self, frame: pd.DataFrame, point: int, plan: int, start: int,
                   stop: int) -> Path:
        """Write the rows of replications ``start`` to ``stop - 1`` of one point and plan."""
        path = self.parts / f"p{point:05d}-k{plan:03d}-r{start:06d}-{stop:06d}.parquet"
        _atomic_parquet(frame, path)
        return path

    @classmethod
    def read_parts(cls, path: str | os.PathLike,
                   units: Iterable[tuple[int, int, int]] | None = None) -> list[pd.DataFrame]:
        """The frames of the finished parts (only the rows of ``units`` when given)."""
        wanted = None if units is None else set(units)
        frames = []
        for p, k, a, b, f in cls.part_ranges(path):
            if wanted is not None and not any((p, k, r) in wanted for r in range(a, b)):
                continue
            frames.append(pd.read_parquet(f))
        return frames

    def write_results(self, frame: pd.DataFrame) -> Path:
        """Write the complete, sorted table as ``results.parquet``."""
        path = self.path / "results.parquet"
        _atomic_parquet(frame, path)
        return path
