"""The serious-list steps on the workbench are checked by the account's authority like drafts and
objections (docs/api.md, issue 15): the art. 12 assessment is the case authority's own (本局承办人员),
the higher bureau's consent is recorded by the case authority or that higher bureau; an officer of
another district is refused and nothing is recorded."""

from __future__ import annotations

from tests.db.api.support import A, D, Live, register
from tests.db.api.workbench_support import bench, form_token, officer_session  # noqa: F401
from tests.db.rosters.helpers import decisions, night, penalty

FORM = {"intent": "intentional", "frequency": "首次", "harm": "造成较大社会影响", "outcome": "list"}
CONSENT = {"authority": "北京市市场监督管理局", "consented_on": "2026-03-11",
           "document_no": "京市监信函〔2026〕3号", "outcome": "granted"}


def _case(live: Live) -> None:
    with live.engine.begin() as c:  # a food-safety penalty of 朝阳区 (110105): proposed and notified
        register(c, A, "北京甲科技有限公司")
        penalty(c, "P1", A, "2026-03-02")
        night(c, live.settings, "2026-03-02")
    live.clock["today"] = D("2026-03-10")


def test_another_districts_officer_cannot_assess_or_consent(bench: Live) -> None:  # noqa: F811
    _case(bench)
    # 王东 is an approver of 东城区 (110101): not the case's authority, nor its higher bureau.
    with officer_session(bench, "wang.dong") as h:
        r = h.post("/bureau/serious/P1/assessment", data={**FORM, "token": form_token(h, "/bureau")})
        assert r.status_code == 403 and "朝阳区" in r.text, r.text
    with bench.engine.connect() as c:
        assert decisions(c, action="assess") == []
    # 李办 of 朝阳区 assesses; 王东 still cannot record the consent, 张审 of 朝阳区 can.
    with officer_session(bench, "li.ban") as h:
        r = h.post("/bureau/serious/P1/assessment", data={**FORM, "token": form_token(h, "/bureau")})
        assert r.status_code == 303, r.text
    bench.clock["today"] = D("2026-03-11")
    with officer_session(bench, "wang.dong") as h:
        r = h.post("/bureau/serious/P1/consent", data={**CONSENT, "token": form_token(h, "/bureau")})
        assert r.status_code == 403 and "朝阳区" in r.text, r.text
    with bench.engine.connect() as c:
        assert decisions(c, action="consent") == []
    with officer_session(bench, "zhang.shen") as h:
        r = h.post("/bureau/serious/P1/consent", data={**CONSENT, "token": form_token(h, "/bureau")})
        assert r.status_code == 303, r.text
    with bench.engine.connect() as c:
        [k] = decisions(c, action="consent")
    assert k["actor"] == "account:zhang.shen"
