"""Honest uncertainty for replicated experiments: t intervals, paired differences, sample size.

A simulated sales team gives a different answer in every replication. The mean over
``n`` independent replications estimates the long-run mean; its 95% confidence interval
(置信区间) is ``mean +/- t(0.975, n - 1) * s / sqrt(n)``, with ``s`` the sample standard
deviation and ``t`` Student's t quantile. When two plans are run on the same replications
(common random numbers), their difference is estimated from the per-replication
differences (a paired interval): the shared luck cancels and the interval is narrower than
the unpaired (Welch) one.

Student's t quantiles are computed here from the regularized incomplete beta function
(continued fraction, as in Numerical Recipes, section 6.4), so no statistics package is
needed; they agree with published tables to at least 8 significant digits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist

import numpy as np

__all__ = ["Interval", "t_quantile", "mean_ci", "paired_ci", "welch_ci", "replications_needed"]


@dataclass(frozen=True)
class Interval:
    """An estimate with its confidence interval.

    Attributes
    ----------
    mean : float
        The sample mean (of the values, or of the differences).
    low, high : float
        The interval's ends; NaN with fewer than 2 values.
    half_width : float
        ``(high - low) / 2``: the precision of the estimate.
    n : int
        The number of values (replications) used.
    sd : float
        Their sample standard deviation (``ddof=1``).
    level : float
        The confidence level, e.g. 0.95.
    """

    mean: float
    low: float
    high: float
    half_width: float
    n: int
    sd: float
    level: float = 0.95

    @property
    def excludes_zero(self) -> bool:
        """True when the whole interval lies on one side of 0 (a clear difference)."""
        return bool(self.low > 0 or self.high < 0)

    @property
    def verdict(self) -> str:
        """The interval in plain words: "clearly higher", "clearly lower", "not clearly
        different", or why there is no range ("the same in every replication", ...)."""
        if self.n == 0:
            return "not defined"
        if self.n < 2:
            return "one replication: no range"
        if self.sd == 0 and self.mean == 0:
            return "the same in every replication"
        if self.excludes_zero:
            return "clearly higher" if self.mean > 0 else "clearly lower"
        return "not clearly different"


# ------------------------------------------------------------------ Student's t
def _beta_cf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz's method)."""
    tiny, eps = 1e-300, 1e-16
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 1000):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)),
                   -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + aa / c
            c = c if abs(c) > tiny else tiny
            delta = d * c
            h *= delta
        if abs(delta - 1.0) < eps:
            break
    return h


def _beta_inc(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b) for 0 <= x <= 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_cf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_cf(b, a, 1.0 - x) / b


def _t_cdf(t: float, df: float) -> float:
    tail = 0.5 * _beta_inc(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t > 0 else tail


@lru_cache(maxsize=1024)
def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t distribution with ``df`` degrees of freedom.

    Parameters
    ----------
    p : float
        Probability, 0 < p < 1 (0.975 for a two-sided 95% interval).
    df : float
        Degrees of freedom, > 0; ``math.inf`` gives the normal quantile.

    Examples
    --------
    >>> round(t_quantile(0.975, 9), 6)
    2.262157
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be between 0 and 1 (exclusive), got {p!r}")
    if not df > 0:
        raise ValueError(f"df must be > 0, got {df!r}")
    if math.isinf(df):
        return NormalDist().inv_cdf(p)
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    if p == 0.5:
        return 0.0
    lo, hi = 0.0, max(1.0, NormalDist().inv_cdf(p))
    while _t_cdf(hi, df) < p:
        lo, hi = hi, 2.0 * hi
    log_c = (math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi))
    t = 0.5 * (lo + hi)
    for _ in range(200):  # Newton's method, kept inside the bracket by bisection
        err = _t_cdf(t, df) - p
        if err < 0:
            lo = t
        else:
            hi = t
        density = math.exp(log_c - (df + 1) / 2 * math.log1p(t * t / df))
        step = t - err / density if density > 0 else math.nan
        new = step if lo < step < hi else 0.5 * (lo + hi)
        if abs(new - t) <= 1e-15 * max(1.0, abs(t)) or hi - lo <= 1e-15 * hi:
            return new
        t = new
    return t


# ------------------------------------------------------------------ intervals
def _values(x) -> np.ndarray:
    a = np.asarray(x, dtype="float64").ravel()
    return a[~np.isnan(a)]


def _interval(mean: float, se: float, df: float, n: int, sd: float, level: float) -> Interval:
    if n < 2 or not np.isfinite(se):
        return Interval(mean, math.nan, math.nan, math.nan, n, sd, level)
    half = t_quantile(0.5 + level / 2.0, df) * se if se > 0 else 0.0
    return Interval(mean, mean - half, mean + half, half, n, sd, level)


def _check_level(level: float) -> None:
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1, e.g. 0.95; got {level!r}")


def mean_ci(values, level: float = 0.95) -> Interval:
    """The mean of independent replications with its t confidence interval.

    ``mean +/- t(1/2 + level/2, n - 1) * s / sqrt(n)``. NaN values are left out. With fewer
    than two values the interval is NaN (one replication says nothing about its spread).

    Parameters
    ----------
    values : array-like
        One value per replication (e.g. revenue per rep-quarter, R2.2.1.1).
    level : float
        Confidence level (default 0.95).

    Returns
    -------
    Interval
    """
    _check_level(level)
    x = _values(values)
    n = len(x)
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, math.nan, 0, math.nan, level)
    sd = float(x.std(ddof=1)) if n > 1 else math.nan
    return _interval(float(x.mean()), sd / math.sqrt(n), n - 1, n, sd, level)


def paired_ci(baseline, other, level: float = 0.95) -> Interval:
    """The mean difference ``other - baseline`` over paired replications, with its interval.

    Replication ``i`` of both plans used the same random numbers, so the differences
    ``other[i] - baseline[i]`` are independent and the interval is :func:`mean_ci` of
    them. Pairs with a NaN on either side are left out.

    Raises
    ------
    ValueError
        When the two arrays differ in length (they must be paired by replication).
    """
    a = np.asarray(baseline, dtype="float64").ravel()
    b = np.asarray(other, dtype="float64").ravel()
    if a.shape != b.shape:
        raise ValueError(f"paired values need the same replications: {len(a)} baseline "
                         f"values against {len(b)}")
    return mean_ci(b - a, level)


def welch_ci(baseline, other, level: float = 0.95) -> Interval:
    """The difference of means ``other - baseline`` of two independent samples (Welch).

    The unpaired interval, with the Welch-Satterthwaite degrees of freedom; what one gets
    without common random numbers. ``sd`` is the standard error times sqrt(n) of the
    smaller sample, ``n`` the smaller sample size.
    """
    _check_level(level)
    a, b = _values(baseline), _values(other)
    na, nb = len(a), len(b)
    mean = float(b.mean() - a.mean()) if na and nb else math.nan
    if na < 2 or nb < 2:
        return Interval(mean, math.nan, math.nan, math.nan, min(na, nb), math.nan, level)
    va, vb = a.var(ddof=1) / na, b.var(ddof=1) / nb
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (na - 1) + vb**2 / (nb - 1)) if se > 0 else math.inf
    n = min(na, nb)
    return _interval(mean, se, df, n, se * math.sqrt(n), level)


def replications_needed(values, half_width: float, level: float = 0.95) -> int:
    """Replications needed for an interval no wider than ``+/- half_width``.

    From a pilot run's values (their standard deviation ``s``), the smallest ``n >= 2``
    with ``t(1/2 + level/2, n - 1) * s / sqrt(n) <= half_width``. For a plan comparison,
    pass the paired differences.

    Parameters
    ----------
    values : array-like
        The pilot replications (at least 2).
    half_width : float
        The precision wanted, in the unit of the values (e.g. 5,000 CNY), > 0.
    level : float
        Confidence level (default 0.95).

    Examples
    --------
    >>> replications_needed([0.0, 2.0], 1.0)  # s = sqrt(2); t(10) sqrt(2/11) = 0.95 <= 1
    11
    """
    _check_level(level)
    if not half_width > 0:
        raise ValueError(f"half_width must be > 0, got {half_width!r}")
    x = _values(values)
    if len(x) < 2:
        raise ValueError(f"need at least 2 pilot replications to estimate the spread, got "
                         f"{len(x)}")
    s = float(x.std(ddof=1))
    if s == 0:
        return 2
    p = 0.5 + level / 2.0
    n = max(2, math.ceil((NormalDist().inv_cdf(p) * s / half_width) ** 2))
    while t_quantile(p, n - 1) * s / math.sqrt(n) > half_width:
        n += 1
    return n
