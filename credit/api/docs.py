"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc) from files the app serves itself (issue 15).

FastAPI's own pages load their scripts from a CDN, which leaves them blank on a bureau network
without the public internet. The scripts and styles here come from the pinned ``fastapi-offline``
package (Swagger UI, Apache-2.0; ReDoc, MIT; their licence headers kept in the files) and are
served under ``/docs/assets/``; Swagger UI's start-up is a static file too
(``credit/api/static/swagger-init.js``), so the pages need no inline script and nothing outside
the server (the online validator badge is off). The Content-Security-Policy of these paths is
``credit.api.security.DOCS_CSP``.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, HTTPException, Request
from fastapi.openapi.docs import get_swagger_ui_oauth2_redirect_html
from fastapi.responses import FileResponse, HTMLResponse

VENDORED = Path(fastapi_offline.__file__).parent / "static"
OWN = Path(__file__).parent / "static"
ASSETS = {
    "swagger-ui-bundle.js": (VENDORED, "text/javascript; charset=utf-8"),
    "swagger-ui.css": (VENDORED, "text/css; charset=utf-8"),
    "redoc.standalone.js": (VENDORED, "text/javascript; charset=utf-8"),
    "favicon.png": (VENDORED, "image/png"),
    "swagger-init.js": (OWN, "text/javascript; charset=utf-8"),
}
ASSET_URL = "/docs/assets"

docs = APIRouter(include_in_schema=False)


def _title(request: Request) -> str:
    return escape(str(request.app.title))


@docs.get("/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI over ``/openapi.json`` (the spec URL is read by swagger-init.js from ``data-spec``)."""
    spec = escape(str(request.app.openapi_url))
    return HTMLResponse(f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{_title(request)} - Swagger UI</title>
<link rel="icon" type="image/png" href="{ASSET_URL}/favicon.png">
<link rel="stylesheet" href="{ASSET_URL}/swagger-ui.css"></head>
<body><div id="swagger-ui" data-spec="{spec}" data-oauth2-redirect="/docs/oauth2-redirect"></div>
<script src="{ASSET_URL}/swagger-ui-bundle.js"></script>
<script src="{ASSET_URL}/swagger-init.js"></script>
</body></html>""")


@docs.get("/docs/oauth2-redirect", response_class=HTMLResponse)
def swagger_ui_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


@docs.get("/redoc", response_class=HTMLResponse)
def redoc(request: Request) -> HTMLResponse:
    """ReDoc over ``/openapi.json``: the ``<redoc spec-url>`` element needs no start-up script."""
    spec = escape(str(request.app.openapi_url))
    return HTMLResponse(f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{_title(request)} - ReDoc</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" type="image/png" href="{ASSET_URL}/favicon.png"></head>
<body><redoc spec-url="{spec}"></redoc>
<script src="{ASSET_URL}/redoc.standalone.js"></script>
</body></html>""")


@docs.get(ASSET_URL + "/{name}")
def asset(name: str) -> FileResponse:
    """One of the documentation pages' files (a fixed list: no path from the request reaches the disk)."""
    if name not in ASSETS:
        raise HTTPException(404, "没有这个文件")
    folder, media = ASSETS[name]
    return FileResponse(folder / name, media_type=media, headers={"Cache-Control": "public, max-age=86400"})
