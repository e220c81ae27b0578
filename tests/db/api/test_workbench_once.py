"""The officers' workbench forms sent twice record once (credit.api.once, ``recorded_form``): a
draft's decision, an objection's answer, the serious-list assessment and consent, a draw. Each is
refused the second time by its own rules, so a double click used to show the officer that refusal
(409) instead of the first post's result; with the form's submission id the second post is sent
where the first was."""

from __future__ import annotations

import re

import httpx
import pytest
import sqlalchemy as sa

from credit.api import once as once_
from credit.api.sessions import digest
from tests.db.api.support import A, C, D, Live, live, register, signed_in  # noqa: F401
from tests.db.api.support import seed_story as seed
from tests.db.api.workbench_support import bench, drafts, form_token, officer_session  # noqa: F401
from tests.db.rosters.helpers import decisions, night, penalty


def _once(page: str, form_id: str) -> str:
    """The submission id of the form (or the row holding it) with ``id="form_id"``."""
    form = page[page.index(f'id="{form_id}"'):].split("</form>", 1)[0]
    m = re.search(r'name="once" value="([0-9a-f]{64})"', form)
    assert m, form
    return m.group(1)


def _count(service: Live, sql: str) -> int:
    with service.engine.connect() as c:
        return int(c.execute(sa.text(sql)).scalar_one())


def _twice(h: httpx.Client, path: str, data: dict[str, str]) -> str:
    """Post the form twice: both answers send the officer to the same confirmation (303)."""
    first = h.post(path, data=data)
    second = h.post(path, data=data)
    assert first.status_code == second.status_code == 303, second.text
    assert second.headers["location"] == first.headers["location"]
    return str(first.headers["location"])


DECIDED = "select count(*) from roster_decisions where action in ('include', 'reject')"


def test_a_draft_decided_twice_records_one_decision(bench: Live) -> None:  # noqa: F811
    seed(bench)
    seqs = drafts(bench.engine)
    bench.clock["today"] = D("2026-07-16")
    with officer_session(bench, "wang.dong") as h:       # refused (another authority): the id is not kept
        page = h.get("/bureau/drafts?scope=all").text
        data = {"decision": "approve", "token": form_token(h, "/bureau/drafts"), "once": _once(page, f"decide-draft-{seqs[A]}")}
        for _ in range(2):
            r = h.post(f"/bureau/drafts/{seqs[A]}/decision", data=data)
            assert r.status_code == 403 and "北京市朝阳区市场监督管理局" in r.text
    with officer_session(bench, "zhang.shen") as h:
        page = h.get("/bureau/drafts").text
        once = _once(page, f"decide-draft-{seqs[A]}")
        assert once != _once(page, f"decide-draft-{seqs[C]}")       # one id per form
        data = {"decision": "approve", "token": form_token(h, "/bureau/drafts"), "once": once}
        where = _twice(h, f"/bureau/drafts/{seqs[A]}/decision", data)
        assert where.startswith(f"/bureau/drafts?done=approve&ref={seqs[A]}&seq=")
        assert f"已记录：草稿 {seqs[A]} 已批准，文号" in h.get(where).text
        # The other button of the same form after the first: other content, refused in Chinese.
        r = h.post(f"/bureau/drafts/{seqs[A]}/decision", data={**data, "decision": "reject", "note": "理由"})
        assert r.status_code == 422 and "此表单已提交过" in r.text
        # A form without its id (a page rendered before): refused by the rule, as before.
        del data["once"]
        assert h.post(f"/bureau/drafts/{seqs[A]}/decision", data=data).status_code == 409
    assert _count(bench, DECIDED) == 1


def test_a_draft_decision_while_the_first_runs_records_nothing(bench: Live, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """The first post's claim held here: the second is told in Chinese and keeps the id in its form."""
    seed(bench)
    seqs = drafts(bench.engine)
    bench.clock["today"] = D("2026-07-16")
    monkeypatch.setattr(once_, "WAIT", "300ms")
    with officer_session(bench, "zhang.shen") as h:
        once = _once(h.get("/bureau/drafts").text, f"decide-draft-{seqs[A]}")
        ticket = once_.of("browser:" + digest(h.cookies["credit_csrf"]), once, "x", {})
        assert ticket is not None
        with bench.engine.connect() as c, c.begin():
            c.execute(sa.text("insert into submissions_once (caller, id_hash, request_hash) values (:c, :h, 'x')"),
                      {"c": ticket.caller, "h": ticket.id_hash})
            r = h.post(f"/bureau/drafts/{seqs[A]}/decision",
                       data={"decision": "approve", "token": form_token(h, "/bureau/drafts"), "once": once})
            c.rollback()
        assert r.status_code == 409 and "已提交，请勿重复提交" in r.text
        assert _once(r.text, f"decide-draft-{seqs[A]}") == once
        assert _once(r.text, f"decide-draft-{seqs[C]}") != once
    assert _count(bench, DECIDED) == 0


def test_an_objection_answered_twice_records_one_answer(bench: Live) -> None:  # noqa: F811
    seed(bench)
    bench.clock["today"] = D("2026-07-16")
    with officer_session(bench, "zhang.shen") as h:
        assert h.post(f"/bureau/drafts/{drafts(bench.engine)[A]}/decision",
                      data={"decision": "approve", "token": form_token(h, "/bureau/drafts")}).status_code == 303
    listing = _count(bench, "select seq from roster_decisions where action = 'include'")
    bench.clock["today"] = D("2026-07-20")
    with bench.client("bureau") as k:
        obj = k.post("/v1/bureau/objections", json={"decision": str(listing), "received_on": "2026-07-20",
                                                    "grounds": "已按期报送年报"}).json()
    with officer_session(bench, "zhang.shen") as h:
        page = h.get("/bureau/requests").text
        data = {"outcome": "dismissed", "note": "逾期未报送属实", "token": form_token(h, "/bureau/requests"),
                "once": _once(page, f"decide-objection-{obj['id']}")}
        where = _twice(h, f"/bureau/objections/{obj['id']}/decision", data)
        assert where.startswith(f"/bureau/requests?done=dismissed&ref={obj['id']}&seq=")
        assert "异议不成立" in h.get(where).text
        r = h.post(f"/bureau/objections/{obj['id']}/decision", data={**data, "outcome": "upheld"})
        assert r.status_code == 422 and "此表单已提交过" in r.text
    assert _count(bench, f"select count(*) from roster_decisions where request_id = {int(obj['id'])}") == 1


def test_the_serious_list_steps_posted_twice_record_once(live: Live) -> None:  # noqa: F811
    with live.engine.begin() as c:
        register(c, A, "北京甲科技有限公司")
        penalty(c, "P1", A, "2026-03-02")
        night(c, live.settings, "2026-03-02")
    live.clock["today"] = D("2026-03-10")
    with signed_in(live) as h:
        page = h.get("/bureau").text
        token = form_token(h, "/bureau")
        form = {"intent": "intentional", "frequency": "首次", "harm": "造成较大社会影响", "outcome": "list",
                "token": token, "once": _once(page, "assess-1")}
        where = _twice(h, "/bureau/serious/P1/assessment", form)
        assert "已记录：案件 P1 的第十二条裁量评估" in h.get(where).text
        r = h.post("/bureau/serious/P1/assessment", data={**form, "harm": "另写的后果"})
        assert r.status_code == 422 and "此表单已提交过" in r.text
        live.clock["today"] = D("2026-03-11")
        page = h.get("/bureau").text
        consent = {"authority": "北京市市场监督管理局", "consented_on": "2026-03-11",
                   "document_no": "京市监信函〔2026〕3号", "outcome": "granted", "token": token,
                   "once": _once(page, "consent-1")}
        where = _twice(h, "/bureau/serious/P1/consent", consent)
        assert "已记录：案件 P1 的" in h.get(where).text
    with live.engine.connect() as c:
        assert len(decisions(c, action="assess")) == len(decisions(c, action="consent")) == 1


def test_a_draw_run_twice_draws_once(bench: Live) -> None:  # noqa: F811
    from credit.draws import core
    from tests.db.draws.helpers import SEED, load_store

    load_store(bench.engine)
    bench.clock["today"] = D("2026-09-02")
    plan = {"matter": ["annual_report"], "as_of": "2026-09-01", "seed_commitment": core.seed_commitment(SEED)}
    with officer_session(bench, "zhang.shen") as h:
        assert h.post("/bureau/draws/plan", data={**plan, "token": form_token(h, "/bureau/draws")}).status_code == 303
        page = h.get("/bureau/draws").text
        data = {"seed": SEED, "token": form_token(h, "/bureau/draws"), "once": _once(page, "draw-1")}
        assert _twice(h, "/bureau/draws/DRAW-20260901-001/run", data) == "/bureau/draws/DRAW-20260901-001?done=run"
    assert _count(bench, "select count(*) from draw_runs") == 1


def test_a_draw_plan_refused_in_its_transaction_is_refused_again(bench: Live) -> None:  # noqa: F811
    """A date after today, refused after the id was claimed: the claim is rolled back with the rest,
    so the same form sent again gets the same refusal (it read "已提交，请勿重复提交", for ever)."""
    from credit.draws import core
    from tests.db.draws.helpers import SEED, load_store

    load_store(bench.engine)
    bench.clock["today"] = D("2026-09-02")
    with officer_session(bench, "zhang.shen") as h:
        page = h.get("/bureau/draws").text
        data = {"matter": ["annual_report"], "as_of": "2026-09-03", "seed_commitment": core.seed_commitment(SEED),
                "token": form_token(h, "/bureau/draws"), "once": _once(page, "draw-plan")}
        for _ in range(2):
            r = h.post("/bureau/draws/plan", data=data)
            assert r.status_code == 422 and "晚于今天" in r.text, r.text
    assert _count(bench, "select count(*) from submissions_once") == 0
