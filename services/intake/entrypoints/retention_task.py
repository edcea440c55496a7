"""The daily retention job as a background task: one replica at a time (the service's leader
lock: a PostgreSQL advisory lock, or a file lock beside the SQLite store), looking every
`INTAKE_RETENTION_CHECK_INTERVAL_S` whether today's run is still due."""

from __future__ import annotations

from services.intake.application.retention import RetentionJob
from services.intake.settings import IntakeSettings
from shared.messaging.leader import relay_lock, run_while_leading
from shared.runtime import ServiceContext, in_store_every


async def run_retention_daily(
    ctx: ServiceContext, settings: IntakeSettings, job: RetentionJob
) -> None:
    async def every_day() -> None:
        await in_store_every(
            ctx,
            settings.retention_check_interval_s,
            lambda: job.run_once().persons_erased,
            "intake: the retention job erased %d person(s) (reason retention_deadline)",
        )

    await run_while_leading(relay_lock(settings, "intake-retention"), every_day)
