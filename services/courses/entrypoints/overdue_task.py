"""The background loop that raises overdue deadlines (reviews, consent, monthly meetings,
contract measures, standard letters)."""

from __future__ import annotations

from services.courses.application.service import CoursesService
from shared.runtime import ServiceContext, in_store_every


async def emit_overdue_forever(
    ctx: ServiceContext, service: CoursesService, interval_s: float
) -> None:
    await in_store_every(
        ctx,
        interval_s,
        lambda: service.emit_overdue(service.clock()),
        "courses: raised %d overdue event(s)",
    )
