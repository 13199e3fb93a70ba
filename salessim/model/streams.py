"""Named random streams: one independent generator per random input of the model.

Every stream is derived from the run's seed and the stream's *name* (for example
``"arrivals.web"`` or ``"durations"`` for rep 3) with :class:`numpy.random.SeedSequence`,
so a stream does not depend on which other streams exist or in what order they are used.
Changing one parameter therefore leaves the draws of unrelated inputs untouched (common
random numbers), and the same seed gives the same numbers in any process.

The model draws in blocks: :func:`block` pre-draws a few thousand numbers at a time as a
Python list and hands them out one by one, which is many times faster than calling the
generator for every event.
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Callable, Iterator
from itertools import chain

import numpy as np

__all__ = ["stream", "block"]

_BLOCK = 1024


def _key(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))


def stream(seed: int, name: str, *index: int) -> np.random.Generator:
    """The generator of stream ``name`` (and optional integer ``index``) for ``seed``."""
    ss = np.random.SeedSequence(int(seed), spawn_key=(_key(name), *index))
    return np.random.Generator(np.random.PCG64(ss))


def block(rng: np.random.Generator, kind="uniform", size: int = _BLOCK) -> Callable[[], float]:
    """A function handing out numbers of one kind from ``rng``, drawn ``size`` at a time.

    ``kind`` is ``"uniform"`` (on [0, 1)), ``"exponential"`` (mean 1), ``"normal"``
    (standard), or a callable ``f(rng, size) -> ndarray``. Each call returns the next
    number as a Python float; the numbers are those of drawing the blocks one after another.
    """
    if kind == "uniform":
        def fill() -> np.ndarray:
            return rng.random(size)
    elif kind == "exponential":
        def fill() -> np.ndarray:
            return rng.standard_exponential(size)
    elif kind == "normal":
        def fill() -> np.ndarray:
            return rng.standard_normal(size)
    else:
        def fill() -> np.ndarray:
            return kind(rng, size)

    def blocks() -> Iterator[array]:
        while True:
            yield array("d", fill().tobytes())

    return chain.from_iterable(blocks()).__next__
