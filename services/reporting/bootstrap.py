"""Wires reporting: settings → application → service, projection and queries → entry points."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine

from services.reporting.adapters.publications import reporting_publications
from services.reporting.adapters.views.database import views_engine
from services.reporting.adapters.views.reader import ViewReader
from services.reporting.adapters.views.writer import ReadModels
from services.reporting.application.access_policy import ReportingAction
from services.reporting.application.app import ReportingApplication
from services.reporting.application.projection import Projection
from services.reporting.application.queries import ReportingQueries
from services.reporting.application.service import ReportingService
from services.reporting.entrypoints.http import create_http_app
from services.reporting.entrypoints.kafka import CONSUMERS
from services.reporting.entrypoints.projection_task import keep_read_models_current
from services.reporting.settings import ReportingSettings
from shared.auth import AccessControl
from shared.contracts import dead_letter_topic
from shared.eventstore import store_env
from shared.keys.report import erasure_report_router
from shared.runtime import ServiceContext, ServiceDefinition
from shared.service_parts import service_with_parts

NAME = "reporting"


def build_application(settings: ReportingSettings) -> ReportingApplication:
    return ReportingApplication(env=store_env(settings, NAME))


def build_service(
    settings: ReportingSettings, app: ReportingApplication, views: Engine | None = None
) -> ReportingService:
    """`views`: the read models' engine (the erasure's trace step finds the person's journals
    there); None: a new one (in memory: an empty one)."""
    return ReportingService(
        app, journals_of=ViewReader(views or views_engine(settings)).journals_of
    )


def build_read_side(
    settings: ReportingSettings, app: ReportingApplication
) -> tuple[Projection, ReportingQueries]:
    engine = views_engine(settings)
    return Projection(app, ReadModels(engine)), ReportingQueries(
        ViewReader(engine), smallest_shown=settings.statistics_smallest_shown
    )


def release_read_side(parts: dict[str, Any]) -> None:
    projection = parts.get("projection")
    if projection is not None:
        projection.views.engine.dispose()


def definition(settings: ReportingSettings | None = None) -> ServiceDefinition:
    settings = settings or ReportingSettings()

    def build() -> tuple[ReportingApplication, dict[str, Any]]:
        app = build_application(settings)
        parts: dict[str, Any] = {}
        parts["projection"], parts["queries"] = build_read_side(settings, app)
        parts["service"] = build_service(settings, app, parts["projection"].views.engine)
        return app, parts

    def http(ctx: ServiceContext, parts: dict[str, Any], access: AccessControl) -> FastAPI:
        api = create_http_app(ctx, parts["queries"], parts["projection"], access)
        # Its part of `ssp erasure-report`: its dead letters' erasures (the runtime's keyring).
        api.include_router(erasure_report_router(ReportingAction.READ_ERASURE_REPORT))
        return api

    async def projection_task(ctx: ServiceContext, parts: dict[str, Any]) -> None:
        await keep_read_models_current(ctx, parts["projection"])

    return service_with_parts(
        NAME,
        settings,
        build,
        consumers=CONSUMERS,
        consuming=lambda parts: parts["service"],
        http=http,
        tasks=[projection_task],
        release=release_read_side,
        produces=[dead_letter_topic(NAME)],
        publications=reporting_publications,
        published_events=[],
    )
