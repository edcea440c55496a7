"""The erasure report (`ssp erasure-report`, issue 18 part 5) as each service with a keyring
answers it: its keyring's erasures counted per kind, month (UTC) and reason; never who."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from pydantic import BaseModel, Field

from shared.keys.keyring import Erasure


class ReportRow(BaseModel):
    kind: str
    month: str = Field(description="YYYY-MM (UTC)")
    reason: str
    count: int


class ErasureReport(BaseModel):
    rows: list[ReportRow]

    @classmethod
    def of(cls, erasures: Iterable[Erasure]) -> ErasureReport:
        counts = Counter((e.kind, e.erased_at.strftime("%Y-%m"), e.reason) for e in erasures)
        return cls(
            rows=[
                ReportRow(kind=kind, month=month, reason=reason, count=count)
                for (kind, month, reason), count in sorted(counts.items())
            ]
        )
