"""The bureau page's serious-list section (domain.md §4): an officer signs in, sees the open
procedures with who acts next and by when, and records the art. 12 assessment and the higher
bureau's consent through plain forms. The officer recorded is the signed-in key's holder; a form
without the session's token is refused (CSRF)."""

from __future__ import annotations

import re

import httpx

from tests.db.api.support import A, D, Live, live, page_token, register, signed_in  # noqa: F401  (the fixture)
from tests.db.rosters.helpers import decisions, night, penalty

NAME = "北京甲科技有限公司"


def _proposal(live: Live) -> None:  # noqa: F811
    """A heavier food-safety penalty decided 2026-03-02 (county-level authority 110105): the night
    proposes and notifies; the statement window ends 2026-03-09, so the officer assesses from 03-10."""
    with live.engine.begin() as c:
        register(c, A, NAME)
        penalty(c, "P1", A, "2026-03-02")
        night(c, live.settings, "2026-03-02")
    live.clock["today"] = D("2026-03-10")


def _token(page: str) -> str:
    m = re.search(r'name="token" value="([0-9a-f]{64})"', page)
    assert m, "the form carries the session's token"
    return m.group(1)


def test_officer_assesses_and_records_consent_on_the_page(live: Live) -> None:  # noqa: F811
    _proposal(live)
    with signed_in(live) as h, signed_in(live) as other:
        page = h.get("/bureau").text
        row = page[page.index('id="proc-1"'):page.index('id="assess-1"')]
        assert "P1" in row and A in row and NAME in row and "第十二条裁量评估" in row and "本局承办人员" in row
        assert "须上一级部门同意" in row and "食品安全领域" in row
        token = _token(page)
        assert token != page_token(other, "/bureau")     # bound to the browser and its session
        form = {"intent": "intentional", "frequency": "首次", "harm": "造成较大社会影响", "outcome": "list",
                "note": "经评估拟列入", "officer": "冒名者"}
        # No token, or another session's token: refused, nothing recorded.
        assert h.post("/bureau/serious/P1/assessment", data=form).status_code == 403
        assert h.post("/bureau/serious/P1/assessment",
                      data={**form, "token": page_token(other, "/bureau")}).status_code == 403
        with live.engine.connect() as c:
            assert decisions(c, action="assess") == []
        # Incomplete: the page says what is missing.
        r = h.post("/bureau/serious/P1/assessment", data={**form, "harm": " ", "token": token})
        assert r.status_code == 422 and "评估未记录" in r.text
        # ... by the form's own labels, not pydantic's English with the codes of the choices.
        r = h.post("/bureau/serious/P1/assessment", data={**form, "intent": "", "harm": " ", "token": token})
        error = re.search(r'<p class="error" role="alert">(.*?)</p>', r.text, re.S)
        assert error and error.group(1) == "评估未记录：主观过错取值无效；危害后果未填写", error
        # ... and gives the form back as sent: nothing typed is lost.
        assess = r.text[r.text.index('id="assess-1"'):].split("</form>", 1)[0]
        assert 'name="frequency" maxlength="500" required value="首次"' in assess
        assert '<option value="list" selected>' in assess and ">经评估拟列入</textarea>" in assess
        r = h.post("/bureau/serious/P1/consent", data={"authority": "北京市市场监督管理局", "consented_on": "2026-02-30",
                                                        "document_no": "", "token": token})
        error = re.search(r'<p class="error" role="alert">(.*?)</p>', r.text, re.S)
        assert r.status_code == 422 and error and \
            error.group(1) == "意见未记录：意见日期应为有效日期（年-月-日）；文号未填写", error
        ok = h.post("/bureau/serious/P1/assessment", data={**form, "token": token})
        assert ok.status_code == 303 and ok.headers["location"].startswith("/bureau?done=assess")
        page = h.get(ok.headers["location"]).text
        assert "已记录：案件 P1 的第十二条裁量评估" in page
        assert 'id="consent-1"' in page and "上一级市场监督管理部门同意" in page
        with live.engine.connect() as c:
            [a] = decisions(c, action="assess")
        # The officer is the key's holder (as the API records it), never the form's free text.
        assert a["actor"] == "officer:测试bureau" and a["decision_date"] == D("2026-03-10")
        assert a["facts"]["assessment"] == {"intent": "intentional", "frequency": "首次", "harm": "造成较大社会影响",
                                            "outcome": "list", "officer": "officer:测试bureau", "note": "经评估拟列入"}
        assert "冒名者" not in str(a)
        # Assessing twice is refused by the procedure with its reason.
        again = h.post("/bureau/serious/P1/assessment", data={**form, "token": token})
        assert again.status_code == 409 and "当前不需要裁量评估" in again.text
        # The higher bureau's consent, dated by the form, recorded today.
        live.clock["today"] = D("2026-03-11")
        c_form = {"authority": "北京市市场监督管理局", "consented_on": "2026-03-11",
                  "document_no": "京市监信函〔2026〕3号", "outcome": "granted", "token": token}
        r = h.post("/bureau/serious/P1/consent", data={**c_form, "document_no": " ", "note": "电话确认"})
        consent = r.text[r.text.index('id="consent-1"'):].split("</form>", 1)[0]
        assert r.status_code == 422 and 'required value="北京市市场监督管理局"' in consent
        assert 'value="2026-03-11" max="2026-03-11"' in consent and ">电话确认</textarea>" in consent
        r = h.post("/bureau/serious/P1/consent", data=c_form)
        assert r.status_code == 303, r.text
        with live.engine.connect() as c:
            [k] = decisions(c, action="consent")
        assert k["actor"] == "officer:测试bureau" and k["facts"]["consent"]["document_no"] == "京市监信函〔2026〕3号"
        # The night lists; the procedure leaves the open list.
        with live.engine.begin() as c:
            night(c, live.settings, "2026-03-11")
        page = h.get("/bureau").text
        assert "没有未办结的列入程序" in page


def test_serious_forms_need_the_bureau_role(live: Live) -> None:  # noqa: F811
    _proposal(live)
    with httpx.Client(base_url=live.url, headers={"X-API-Key": live.keys["consumer"]}) as h:
        r = h.post("/bureau/serious/P1/assessment",
                   data={"intent": "intentional", "frequency": "首次", "harm": "较大", "outcome": "list",
                         "token": page_token(h, "/bureau")})
        assert r.status_code == 403
    with httpx.Client(base_url=live.url) as h:
        r = h.post("/bureau/serious/P1/consent", data={"authority": "x"})
        # Signed out (or the session expired): asked to sign in, as the workbench's other forms ask,
        # in Chinese alone (it read "需要监管部门角色 (bureau role needed)").
        assert r.status_code == 403 and '<p class="error" role="alert">请先登录监管部门工作台</p>' in r.text
    with live.engine.connect() as c:
        assert decisions(c, action="assess") == [] and decisions(c, action="consent") == []
