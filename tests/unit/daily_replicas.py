"""Two (or more) replicas of a service running its daily task at once, each with its own
store thread (as two processes on one store would): for the tests of the daily job."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from shared.eventstore.daily_job import DailyJob
from shared.runtime import ServiceContext, run_daily
from shared.settings import PlatformSettings


def run_as_replicas(
    settings: PlatformSettings, jobs: Sequence[DailyJob], for_s: float = 0.5
) -> None:
    """Run `run_daily` for each job (checking every 20 ms) for `for_s` seconds, then stop."""

    async def replicas() -> None:
        pools = [ThreadPoolExecutor(1) for _ in jobs]
        try:
            tasks = [
                asyncio.create_task(
                    run_daily(ServiceContext(job.service, settings, job.app, pool), job, 0.02)
                )
                for job, pool in zip(jobs, pools, strict=True)
            ]
            await asyncio.sleep(for_s)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            for pool in pools:
                pool.shutdown(wait=True)

    asyncio.run(replicas())
