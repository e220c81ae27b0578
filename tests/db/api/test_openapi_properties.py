"""Schemathesis against the running service's OpenAPI schema: no operation answers with a server
error, for valid and invalid inputs alike. Bounded: a few examples per operation and mode, as the
bureau key (which reaches every operation)."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error

from tests.db.api.support import A, live, seed_story  # noqa: F401

EXAMPLES = 4


def test_no_server_error_on_any_operation(live) -> None:  # noqa: F811
    seed_story(live)
    schema = schemathesis.openapi.from_url(live.url + "/openapi.json")
    headers = {"X-API-Key": live.keys["bureau"]}
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 20
    tried: list[str] = []
    statuses: set[int] = set()
    for op in operations:
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):

            @hsettings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                       suppress_health_check=list(HealthCheck))
            @given(case=op.as_strategy(generation_mode=mode))
            def run(case: schemathesis.Case) -> None:
                response = case.call(base_url=live.url, headers=headers)
                statuses.add(response.status_code)
                case.validate_response(response, checks=[not_a_server_error], headers=headers)

            try:
                run()
            except Unsatisfiable:
                assert mode == schemathesis.GenerationMode.NEGATIVE, op.label
                # An operation without inputs (e.g. /healthz) has nothing to make invalid.
                assert not op.definition.raw.get("parameters") and "requestBody" not in op.definition.raw, op.label
                continue
            tried.append(f"{mode.value} {op.label}")
    assert sum(t.startswith("positive") for t in tried) == len(operations)
    # The run reached the handlers (answers) and the validation (422s), not only the router.
    assert {200, 422} <= statuses and max(statuses) < 500
    # The entity path with a real code still answers after the run (nothing was left broken).
    with live.client() as h:
        assert h.get(f"/v1/entities/{A}").status_code == 200
