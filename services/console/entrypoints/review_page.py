"""The page Kvalitetsgennemgang, `/kvalitet` (issue 17, part 4), and each sampled person's
export as a download (`/kvalitet/{person_key}.pdf` and `.json`; with the child's name when the
page shows names): its own router, with the app's session, CSRF and rendering (`PageTools`)
given by `create_http_app`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.console.adapters.platform_api import ApiError, PlatformApi
from services.console.application import review
from services.console.entrypoints.page_tools import PERSON_KEY, PageTools
from shared.contracts.municipalities import is_municipality_code

MEDIA = {"pdf": "application/pdf", "json": "application/json"}


def review_router(api: PlatformApi, tools: PageTools) -> APIRouter:
    router = APIRouter()

    @router.get("/kvalitet", response_class=HTMLResponse)
    async def review_page(
        request: Request,
        kommune: str | None = Query(default=None, max_length=3),
        aar: int | None = Query(default=None, ge=2000, le=2100),
        antal: int = Query(default=300, ge=1, le=review.LARGEST_SAMPLE),
        seed: int | None = Query(default=None, ge=0, le=2**31 - 1),
        navne: str | None = Query(default=None, max_length=1),
    ) -> Response:
        user = await tools.current_user(request)
        if not user.reviews:
            raise StarletteHTTPException(403)
        choices = review.municipalities_of(user)
        year = aar or tools.clock().year
        view: dict[str, Any] = {"persons": None, "names": {}, "problems": []}
        if kommune is not None and seed is not None:
            if not is_municipality_code(kommune):
                view["problems"] = ["Vælg en kommune fra listen."]
            else:
                asked = review.SampleRequest(kommune, year, antal, seed, names=navne == "1")
                view = await review.review_sample(api, user, asked)
        return tools.render(
            request, "review.html", user, title="Kvalitetsgennemgang",
            choices=choices, municipality=kommune or choices[0][0], year=year, size=antal,
            seed=seed, show_names=navne == "1", checks=review.CHECKS,
            findings=review.FINDINGS, **view,
        )  # fmt: skip

    @router.get("/kvalitet/{person_key}.{kind}")
    async def review_export(
        request: Request,
        person_key: str,
        kind: str,
        kommune: str | None = Query(default=None, max_length=3),
        aar: int | None = Query(default=None, ge=2000, le=2100),
        navne: str | None = Query(default=None, max_length=1),
    ) -> Response:
        """`?navne=1&kommune=607&aar=2026`: with the child's name (the review as occasion)."""
        user = await tools.current_user(request)
        if PERSON_KEY.fullmatch(person_key) is None or kind not in MEDIA or not user.reviews:
            raise StarletteHTTPException(404)
        try:
            name = None
            if navne == "1" and kommune is not None and aar is not None:
                if not is_municipality_code(kommune):
                    raise StarletteHTTPException(404)
                name = await review.named(api, user, f"{kommune}/{aar}", person_key)
            content = await review.person_export(api, user, person_key, kind == "pdf", name)
        except ApiError as exc:
            raise StarletteHTTPException(exc.status if exc.status < 500 else 502) from None
        return Response(
            content=content,
            media_type=MEDIA[kind],
            headers={"Content-Disposition": f'attachment; filename="{person_key}.{kind}"'},
        )

    return router
