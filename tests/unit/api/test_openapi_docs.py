"""OpenAPI documents a response schema for every JSON route, and /docs and /redoc need no
network beyond the app (issue 15)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from credit.api.app import create_app
from credit.api.docs import ASSETS
from credit.settings import Settings


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    # No request here reaches the database: the engine is created but never connected.
    return create_app(Settings(home=tmp_path_factory.mktemp("home"), database_url="postgresql://nobody@127.0.0.1:9/none"))


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def test_every_json_route_documents_its_success_schema(app: Any) -> None:
    spec = app.openapi()
    checked = []
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            success = [c for c in op["responses"] if c.startswith("2")]
            assert success, f"{method} {path}: no success answer documented"
            for code in success:
                content = op["responses"][code].get("content", {})
                assert "application/json" in content, f"{method} {path} {code}: no JSON answer documented"
                schema = _resolve(spec, content["application/json"].get("schema", {}))
                if schema.get("type") == "array":
                    schema = _resolve(spec, schema["items"])
                assert schema.get("properties"), f"{method} {path} {code}: the answer's schema names no field"
                checked.append(f"{method} {path}")
    assert len(checked) >= 26
    entity = _resolve(spec, spec["paths"]["/v1/entities/{uscc}"]["get"]["responses"]["200"]["content"]
                      ["application/json"]["schema"])
    assert {"uscc", "rosters", "penalties", "data_version"} <= set(entity["properties"])


def test_docs_pages_load_only_the_apps_own_files(app: Any) -> None:
    with TestClient(app) as client:
        for page, assets in (("/docs", ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-init.js")),
                             ("/redoc", ("redoc.standalone.js",))):
            r = client.get(page)
            assert r.status_code == 200
            assert "http://" not in r.text and "https://" not in r.text and "<script>" not in r.text
            for name in assets:
                assert f"/docs/assets/{name}" in r.text
                a = client.get(f"/docs/assets/{name}")
                assert a.status_code == 200 and len(a.content) > 100
            csp = r.headers["content-security-policy"]
            assert "https:" not in csp and "script-src 'self';" in csp
        assert client.get("/docs/assets/..%2Fdocs.py").status_code == 404
        assert client.get("/docs/assets/core.py").status_code == 404
    assert set(ASSETS) >= {"swagger-ui-bundle.js", "redoc.standalone.js"}
