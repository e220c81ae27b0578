"""A form or call sent twice records once (credit.api.once): the applicants' form, the draw plan
form and the creating API calls, with and without a submission id / ``Idempotency-Key``."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
import sqlalchemy as sa

from credit.api import once as once_
from credit.api.sessions import digest
from tests.db.api.support import C, D, Live, live, seed_story  # noqa: F401
from tests.db.api.workbench_support import bench, form_token, officer_session  # noqa: F401

FORM = {"roster": "abnormal", "grounds": "已补报年度报告并公示", "documents": "守信承诺书"}


def _applications(service: Live) -> int:
    with service.engine.connect() as c:
        return int(c.execute(sa.text("select count(*) from repair_applicants")).scalar_one())


def _form(h: httpx.Client, uscc: str = C) -> tuple[str, str]:
    """The application form's token and submission id, as the entity page renders them."""
    page = h.get("/entity", params={"uscc": uscc}).text
    form = page[page.index('id="apply"'):].split("</form>", 1)[0]
    token = re.search(r'name="token" value="([0-9a-f]{64})"', form)
    once = re.search(r'name="once" value="([0-9a-f]{64})"', form)
    assert token and once, form
    return token.group(1), once.group(1)


def _receipt(page: str) -> str:
    m = re.search(r"rct_[A-Za-z0-9_-]{43}", page)
    assert m, page
    return m.group(0)


@pytest.mark.parametrize("contact", ["", "13800000000"])
def test_the_same_form_posted_twice_records_one_application(live: Live, contact: str) -> None:  # noqa: F811
    """A double click: one application, and the second answer is the first's receipt page. Without
    a contact each post used to be an application of its own; with one the second was refused 409
    ("already pending") although the applicant had just been given a receipt."""
    seed_story(live)
    with httpx.Client(base_url=live.url, timeout=60) as h:
        token, once = _form(h)
        data = {**FORM, "contact": contact, "token": token, "once": once}
        first = h.post(f"/entity/{C}/apply", data=data)
        second = h.post(f"/entity/{C}/apply", data=data)
        assert first.status_code == second.status_code == 201, second.text
        assert _receipt(second.text) == _receipt(first.text)
        # Another browser posting the same id is another submission: it never sees that receipt.
        with httpx.Client(base_url=live.url, timeout=60) as other:
            token2, _ = _form(other)
            r = other.post(f"/entity/{C}/apply", data={**data, "token": token2})
            assert _receipt(first.text) not in r.text
    assert _applications(live) == 2      # the other browser's counts as its own, also under the same contact (P3)
    # The same id with other content: refused in Chinese, nothing recorded.
    with httpx.Client(base_url=live.url, timeout=60) as h:
        token, once = _form(h)
        assert h.post(f"/entity/{C}/apply", data={**FORM, "token": token, "once": once}).status_code == 201
        n = _applications(live)
        r = h.post(f"/entity/{C}/apply", data={**FORM, "grounds": "改过的理由", "token": token, "once": once})
        assert r.status_code == 422 and "此表单已提交过" in r.text and "rct_" not in r.text
    assert _applications(live) == n


def test_a_form_without_its_id_posts_as_before(live: Live) -> None:  # noqa: F811
    seed_story(live)
    with httpx.Client(base_url=live.url, timeout=60) as h:
        token, _ = _form(h)
        first = h.post(f"/entity/{C}/apply", data={**FORM, "token": token})
        second = h.post(f"/entity/{C}/apply", data={**FORM, "token": token})
        assert first.status_code == second.status_code == 201
        assert _receipt(first.text) != _receipt(second.text)
    assert _applications(live) == 2


def test_a_second_post_while_the_first_runs_records_nothing(live: Live, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """The first post still in its transaction (its claim held here): the second waits, then is told
    in Chinese that it was already sent, keeping the same id so that sending it again shows the receipt."""
    seed_story(live)
    monkeypatch.setattr(once_, "WAIT", "300ms")
    with httpx.Client(base_url=live.url, timeout=60) as h:
        token, once = _form(h)
        ticket = once_.of("browser:" + digest(h.cookies["credit_csrf"]), once, f"/entity/{C}/apply", {})
        assert ticket is not None
        with live.engine.connect() as c, c.begin():
            c.execute(sa.text("insert into submissions_once (caller, id_hash, request_hash) values (:c, :h, 'x')"),
                      {"c": ticket.caller, "h": ticket.id_hash})
            r = h.post(f"/entity/{C}/apply", data={**FORM, "token": token, "once": once})
            c.rollback()
        assert r.status_code == 409 and "已提交，请勿重复提交" in r.text and f'value="{once}"' in r.text
    assert _applications(live) == 0


def test_one_idempotency_key_records_one_application(live: Live) -> None:  # noqa: F811
    seed_story(live)
    body = {"uscc": C, "roster": "abnormal", "grounds": "申请移出"}
    key = str(uuid.uuid4())
    with live.client() as anon, live.client("public") as keyed:
        first = anon.post("/v1/repair-applications", json=body, headers={"Idempotency-Key": key})
        again = anon.post("/v1/repair-applications", json=body, headers={"Idempotency-Key": key})
        assert first.status_code == again.status_code == 201 and again.content == first.content
        assert _applications(live) == 1
        # The same key from another caller (an API key) is its own request.
        mine = keyed.post("/v1/repair-applications", json=body, headers={"Idempotency-Key": key})
        assert mine.status_code == 201 and mine.json()["receipt_token"] != first.json()["receipt_token"]
        assert _applications(live) == 2
        # Reused with another body: 422, in Chinese and English, nothing recorded.
        other = anon.post("/v1/repair-applications", json={**body, "grounds": "另一份申请"},
                          headers={"Idempotency-Key": key})
        assert other.status_code == 422, other.text
        [problem] = other.json()["detail"]
        assert "幂等键" in problem["msg"] and "another body" in problem["msg"]
        # A malformed key: 422; no key at all: as before, each call an application.
        assert anon.post("/v1/repair-applications", json=body, headers={"Idempotency-Key": "short"}).status_code == 422
        assert _applications(live) == 2
        assert anon.post("/v1/repair-applications", json=body).status_code == 201
        assert anon.post("/v1/repair-applications", json=body).status_code == 201
    assert _applications(live) == 4


def test_one_idempotency_key_files_one_objection(live: Live) -> None:  # noqa: F811
    seed_story(live)
    live.clock["today"] = D("2026-07-16")
    with live.engine.connect() as c:
        seq = c.execute(sa.text("select min(seq) from roster_decisions")).scalar_one()
    body = {"decision": str(seq), "received_on": "2026-07-16", "grounds": "已按期报送年报"}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    with live.client("bureau") as h:
        first = h.post("/v1/bureau/objections", json=body, headers=key)
        again = h.post("/v1/bureau/objections", json=body, headers=key)
        assert first.status_code == again.status_code == 201, first.text
        assert again.json() == first.json()
        assert h.post("/v1/bureau/objections", json={**body, "grounds": "x"}, headers=key).status_code == 422
    with live.engine.connect() as c:
        assert c.execute(sa.text("select count(*) from roster_requests where kind = 'objection'")).scalar_one() == 1


def test_the_draw_plan_form_posted_twice_fixes_one_task(bench: Live) -> None:  # noqa: F811
    from credit.draws import core
    from tests.db.draws.helpers import SEED, load_store

    load_store(bench.engine)
    bench.clock["today"] = D("2026-09-02")
    plan = {"matter": ["annual_report"], "as_of": "2026-09-01", "seed_commitment": core.seed_commitment(SEED)}
    with officer_session(bench, "zhang.shen") as h:
        page = h.get("/bureau/draws").text.split('id="draw-plan"', 1)[1]
        once = re.search(r'name="once" value="([0-9a-f]{64})"', page)
        assert once
        data = {**plan, "token": form_token(h, "/bureau/draws"), "once": once.group(1)}
        first = h.post("/bureau/draws/plan", data=data)
        second = h.post("/bureau/draws/plan", data=data)
        assert first.status_code == second.status_code == 303
        assert second.headers["location"] == first.headers["location"] == "/bureau/draws?done=plan&ref=DRAW-20260901-001"
        # Without the id (a page from before): a second task, as before.
        del data["once"]
        assert h.post("/bureau/draws/plan", data=data).headers["location"].endswith("DRAW-20260901-002")
    with bench.engine.connect() as c:
        assert c.execute(sa.text("select count(*) from draw_plans")).scalar_one() == 2
