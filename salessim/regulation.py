"""The regulation's numbers and its clause registry.

The Sales Performance Regulation (销售业绩规程) gives its targets as examples ("e.g. at least
100,000 CNY a month"). :class:`Targets` holds them as defaults that a company can override;
every KPI comparison in the package reads its thresholds from a ``Targets`` object.

Clauses: R2.2.1.1 (revenue targets), R2.2.1.2 (new customers, retention),
R2.2.1.3 (collection rate), R2.2.2.1 (over-target uplift).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["Targets", "Clause", "CLAUSES", "clause"]


class Targets(BaseModel):
    """Per-rep targets of the regulation, as overridable defaults.

    Parameters
    ----------
    monthly_revenue : float
        Sales revenue (销售额) target per rep per month, CNY (R2.2.1.1). Default 100,000.
    quarterly_revenue, annual_revenue : float, optional
        Targets per quarter and year. When not given they are 3 and 12 times the monthly
        target (300,000 and 1,200,000 CNY by default).
    quarterly_new_customers : float
        New customers (新增客户) per rep per quarter (R2.2.1.2). Default 50. Monthly and
        annual targets are one third and four times this.
    retention_rate : float
        Minimum retention rate (留存率), a fraction (R2.2.1.2). Default 0.85.
    collection_rate : float
        Minimum collection rate (回款率), a fraction (R2.2.1.3). Default 0.90.
    uplift, uplift_min, uplift_max : float
        Over-target bonus uplift (R2.2.2.1): the regulation allows 20%-30% extra; ``uplift``
        (default 0.25) must lie in ``[uplift_min, uplift_max]``.

    Examples
    --------
    >>> Targets().revenue("Q")
    300000.0
    >>> Targets(monthly_revenue=80_000).revenue("Y")
    960000.0
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    monthly_revenue: float = Field(100_000.0, gt=0)
    quarterly_revenue: float | None = Field(None, gt=0)
    annual_revenue: float | None = Field(None, gt=0)
    quarterly_new_customers: float = Field(50.0, ge=0)
    retention_rate: float = Field(0.85, ge=0, le=1)
    collection_rate: float = Field(0.90, ge=0, le=1)
    uplift: float = Field(0.25, ge=0)
    uplift_min: float = Field(0.20, ge=0)
    uplift_max: float = Field(0.30, ge=0)

    @model_validator(mode="after")
    def _check_uplift(self) -> Targets:
        if not self.uplift_min <= self.uplift <= self.uplift_max:
            raise ValueError(
                f"uplift {self.uplift} must lie between uplift_min {self.uplift_min} "
                f"and uplift_max {self.uplift_max}"
            )
        return self

    def revenue(self, period: str = "M") -> float:
        """Revenue target per rep for a period kind ``"M"``, ``"Q"`` or ``"Y"``, in CNY."""
        kind = _period_kind(period)
        if kind == "M":
            return float(self.monthly_revenue)
        if kind == "Q":
            return float(self.quarterly_revenue or 3 * self.monthly_revenue)
        return float(self.annual_revenue or 12 * self.monthly_revenue)

    def new_customers(self, period: str = "Q") -> float:
        """New-customer target per rep for a period kind ``"M"``, ``"Q"`` or ``"Y"``."""
        factor = {"M": 1 / 3, "Q": 1.0, "Y": 4.0}[_period_kind(period)]
        return float(self.quarterly_new_customers) * factor


def _period_kind(period: str) -> str:
    kind = str(period).upper()[:1]
    if kind not in ("M", "Q", "Y"):
        raise ValueError(f"period must be 'M', 'Q' or 'Y' (month, quarter, year), got {period!r}")
    return kind


@dataclass(frozen=True)
class Clause:
    """One clause of the regulation: a stable ID, a short English title, the Chinese title."""

    id: str
    title: str
    title_zh: str


CLAUSES: tuple[Clause, ...] = tuple(
    Clause(*row)
    for row in [
        ("R1", "Purpose of the regulation", "销售业绩规程概述"),
        ("R2.1.1.1", "Market research and competitor analysis", "市场调研"),
        ("R2.1.1.2", "Lead channels and the customer database", "多渠道收集客户信息"),
        ("R2.1.1.3", "Lead screening and scoring", "客户筛选与评分体系"),
        ("R2.1.2.1", "First contact at once", "第一时间联系客户"),
        ("R2.1.2.2", "Tailored solution and trust", "个性化解决方案"),
        ("R2.1.2.3", "Demo or trial", "产品演示或试用"),
        ("R2.1.3.1", "Detailed quote", "详细报价方案"),
        ("R2.1.3.2", "Negotiation", "商务谈判"),
        ("R2.1.3.3", "Formal contract", "签订正式合同"),
        ("R2.1.4.1", "Order execution", "订单执行"),
        ("R2.1.4.2", "Follow-up on feedback after delivery", "使用反馈跟进"),
        ("R2.1.4.3", "Regular revisits", "定期回访"),
        ("R2.2.1.1", "Sales revenue targets", "销售额"),
        ("R2.2.1.2", "New customers and retention rate", "客户数量与留存率"),
        ("R2.2.1.3", "Collection rate", "回款率"),
        ("R2.2.2.1", "Performance bonus and over-target uplift", "绩效奖金"),
        ("R2.2.2.2", "Promotion path", "晋升通道"),
        ("R2.2.2.3", "Recognition and training", "非物质激励"),
        ("R2.3.1.1", "Professional ethics and conflicts of interest", "职业道德与利益冲突"),
        ("R2.3.1.2", "Customer privacy", "保护客户隐私"),
        ("R2.3.1.3", "Customer satisfaction surveys", "客户满意度调查"),
        ("R2.3.2.1", "Team meetings and case sharing", "定期会议与案例分享"),
        ("R2.3.2.2", "Communication with other departments", "跨部门沟通"),
        ("R2.3.2.3", "Knowledge-sharing platform", "知识共享平台"),
        ("R3.1.1", "Pilot first", "试点推行"),
        ("R3.1.2", "Understanding before rollout", "全面推广前充分理解"),
        ("R3.2.1", "Periodic revision", "定期修订"),
        ("R3.2.2", "Supervision and correction", "监督机制"),
        ("R3.3.1", "Training on the regulation", "规程培训"),
        ("R3.3.2", "Tools such as a CRM", "工具支持"),
    ]
)


def clause(clause_id: str) -> Clause:
    """Return the clause with ID ``clause_id`` (for example ``"R2.2.1.3"``).

    Raises
    ------
    KeyError
        If no clause has that ID; the message lists the valid IDs.
    """
    for c in CLAUSES:
        if c.id == clause_id:
            return c
    raise KeyError(f"no clause {clause_id!r}; known clauses: {', '.join(c.id for c in CLAUSES)}")


def _as_targets(targets: Targets | dict[str, Any] | None) -> Targets:
    """Accept a Targets, a dict of overrides, or None (the defaults)."""
    if targets is None:
        return Targets()
    if isinstance(targets, Targets):
        return targets
    return Targets(**targets)
