"""How the JSON routes answer, shared by every router (credit.api.routes, credit.api.bureau_routes).

The connection and service-state dependencies and the date parameters (``as_of``, ``known_at``);
a document rendered to JSON once (:func:`json_answer`); a creating call's ``Idempotency-Key``
(credit.api.once) and its refusals; and the checks of a date against the bureau's today and the
system's own history (domain.md §10).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.engine import Connection

from credit.api import once as once_
from credit.api.auth import Principal
from credit.api.deps import (
    ServiceState,
    connection,
    service_state,
)
from credit.api.validation import (
    Day,
    future_date_problem,
)
from credit.rosters.known import (
    KnownAt,
    NoNightPublished,
    after_latest_problem,
    before_data_problem,
    first_night,
)
from credit.rosters.known import known_at as known_record_at
from credit.rosters.read import latest_night as latest_published_night

Conn = Annotated[Connection, Depends(connection)]
St = Annotated[ServiceState, Depends(service_state)]   # on the event loop: no worker thread
AsOf = Annotated[Day | None, Query(description="YYYY-MM-DD; default: the latest published night")]
KnownAtNight = Annotated[Day | None, Query(description="YYYY-MM-DD: answer from the record as it stood after that "
                                                        "night (record time beside the legal date as_of)")]


class RenderedJSON(JSONResponse):
    """A JSON response whose body :func:`json_answer` rendered already (bytes pass through as they are)."""

    def render(self, content: Any) -> bytes:
        return content if isinstance(content, bytes) else super().render(content)


def json_answer(doc: Any, status: int = 200) -> JSONResponse:
    """``doc`` as JSON, values JSON does not know as their ``str``: rendered once, to the bytes
    ``JSONResponse`` gives the document after a round trip through JSON (issue 11: it was dumped,
    loaded and dumped again on every answer)."""
    body = json.dumps(doc, ensure_ascii=False, default=str, allow_nan=False, separators=(",", ":"))
    return RenderedJSON(body.encode("utf-8"), status_code=status)


IdempotencyKey = Annotated[str | None, Header(
    alias=once_.HEADER, max_length=once_.MAX_KEY,
    description="optional: 16–200 printable ASCII characters (e.g. a UUID) naming this request; sent again "
                "with the same body by the same caller it records nothing and gets the first answer")]


def api_once(request: Request, key: str | None, body: BaseModel) -> once_.Once | None:
    """The call's ``Idempotency-Key`` (credit.api.once) for its caller — the API key, the officer's
    account, else ``public`` (then the key is the only secret) — with what it sent; None without one.
    HTTP 422 for a malformed key."""
    if key is None:
        return None
    key = key.strip()
    if not once_.valid_key(key):
        raise HTTPException(422, [{"loc": ["header", once_.HEADER], "type": "value_error",
                                   "msg": f"幂等键应为 {once_.MIN_KEY} 至 {once_.MAX_KEY} 个可打印 ASCII 字符，例如 UUID "
                                          f"(Idempotency-Key is {once_.MIN_KEY} to {once_.MAX_KEY} printable ASCII "
                                          "characters, e.g. a UUID)"}])
    who: Principal = request.state.principal
    caller = (f"key:{who.key_id}" if who.key_id is not None
              else f"officer:{who.officer_id}" if who.officer_id is not None else "public")
    return once_.of(caller, key, request.url.path, body.model_dump(mode="json"))


@contextmanager
def once_refusals() -> Iterator[None]:
    """An ``Idempotency-Key``'s refusals as HTTP errors: its first call still running (409, with
    ``Retry-After``), or the key reused with another body (422)."""
    try:
        yield
    except once_.StillRunning:
        raise HTTPException(409, f"{once_.STILL_RUNNING} (the first request with this Idempotency-Key is still "
                                 "being processed: send it again later for its answer)",
                            headers={"Retry-After": "2"}) from None
    except once_.OtherRequest:
        raise HTTPException(422, [{"loc": ["header", once_.HEADER], "type": "value_error",
                                   "msg": "该幂等键已用于内容不同的请求，未记录 (this Idempotency-Key was used for a "
                                          "request with another body: nothing was recorded)"}]) from None


def recorded(st: ServiceState, ticket: once_.Once | None, work: Callable[[Connection], Any],
             status: int = 201) -> JSONResponse:
    """Run a creating call's ``work`` in one transaction with its ``Idempotency-Key``'s claim and
    answer (credit.api.once): with a key already answered, the first answer and nothing recorded."""
    with once_refusals(), st.begin() as conn:
        if (first := once_.claim(conn, ticket)) is not None:
            return json_answer(first["body"], int(first["status"]))
        out = work(conn)
        once_.answer(conn, ticket, {"status": status, "body": out})
    return json_answer(out, status)


def not_in_future(st: ServiceState, day: date, field: str) -> None:
    """HTTP 422 when ``day`` (a date received or decided) is after the bureau's today (issue 14)."""
    problem = future_date_problem(day, st.today(), field)
    if problem:
        raise HTTPException(422, [{"loc": ["body", field], "type": "value_error.future_date",
                                   "input": day.isoformat(), "msg": problem}])


def known_record(conn: Connection, night: date | None) -> KnownAt | None:
    """The record after night ``night`` (None: the whole record); a night after the latest is refused (422).

    A day that is no published night answers from the latest night on or before it, named in
    ``known_at.night`` and ``data_through``; a day before the first night is refused (422), as
    ``credit status`` and ``credit roster export`` refuse it (exit 2): an empty roster would read
    as "nothing was listed" (credit.rosters.known.known_at)."""
    if night is None:
        return None
    latest = latest_published_night(conn)
    if (problem := after_latest_problem(night, latest, "known_at")) is not None:
        raise HTTPException(422, problem)
    try:
        return known_record_at(conn, night)
    except NoNightPublished as e:
        raise HTTPException(422, f"known_at: {e}") from None


def within_history(conn: Connection, day: date, latest: date | None = None) -> None:
    """HTTP 422 when ``as_of`` ``day`` is before the first published night (domain.md §10: an "as
    of" answer needs our own history, and the rosters before the first night are unknown to the
    system, not empty). Refused rather than marked like a day after the data (``beyond_data``): a
    marker can be overlooked, and an empty answer for such a day reads as a clean record. While no
    night is published at all, the answer's ``data_through`` null and ``beyond_data`` true say it.
    ``latest``: the latest published night when already read (a day on or after it needs no query)."""
    if latest is not None and day >= latest:
        return
    first = first_night(conn)
    if first is not None and (problem := before_data_problem(day, first, "as_of")):
        raise HTTPException(422, problem)
