"""Issue 15 over HTTP: a full-width USCC typed with a Chinese input method gets the same answer as
the ASCII one (path, body); the xlsx export an officer opens; the deadline watch in Chinese."""

from __future__ import annotations

import io

from tests.db.api.support import A, C, live, seed_story  # noqa: F401


def full_width(code: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) for ch in code.lower())


def test_full_width_codes_xlsx_and_chinese_deadlines(live) -> None:  # noqa: F811
    from openpyxl import load_workbook

    seed_story(live)
    with live.client() as h:
        plain = h.get(f"/v1/entities/{C}", params={"as_of": "2026-07-15"})
        wide = h.get(f"/v1/entities/{full_width(C)}", params={"as_of": "2026-07-15"})
        spaced = h.get(f"/v1/entities/{C[:6]}\u3000{C[6:]}", params={"as_of": "2026-07-15"})
        assert plain.status_code == wide.status_code == spaced.status_code == 200, wide.text
        assert wide.json() == plain.json() == spaced.json() and wide.json()["uscc"] == C
        # The roster as a workbook: as many rows as the CSV, codes as text, Chinese headings, a 说明 sheet.
        csv_lines = h.get("/v1/rosters/abnormal", params={"as_of": "2026-07-15", "format": "csv"}).content
        r = h.get("/v1/rosters/abnormal", params={"as_of": "2026-07-15", "format": "xlsx"})
        assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["名录"]
    rows = list(ws.iter_rows())
    assert len(rows) == len(csv_lines.decode("utf-8-sig").splitlines())
    assert rows[0][0].value == "统一社会信用代码" and ws.freeze_panes == "A2"
    assert all(row[0].data_type == "s" for row in rows[1:]) and {row[0].value for row in rows[1:]} == {A, C}
    note = {row[0].value: row[1].value if len(row) > 1 else None for row in wb["说明"].iter_rows()}
    assert note["截至日期 as of"] == "2026-07-15" and note["决定链头 chain head"].startswith("决定 ")
    with live.client("consumer") as h:
        r = h.post("/v1/screenings", json={"usccs": [full_width(C)], "as_of": "2026-07-15"})
        assert r.status_code == 200, r.text
        assert C in r.text
    with live.client("bureau") as h:
        tier = h.get(f"/v1/bureau/entities/{full_width(A)}/tier")
        assert tier.status_code in (200, 404) and "422" not in str(tier.status_code)
        app = h.post("/v1/bureau/repair-applications", json={"uscc": full_width(C), "roster": "abnormal",
                                                             "grounds": "柜台收件", "received_on": "2026-07-15"})
        assert app.status_code == 201, app.text
        items = h.get("/v1/bureau/deadlines", params={"on": "2026-07-16", "within_wd": 10}).json()["items"]
    mine = [w for w in items if w["uscc"] == C and w["kind"] == "repair"]
    assert mine and mine[0]["kind_label"].startswith("信用修复申请") and mine[0]["ref_label"].startswith("申请 ")
    assert mine[0]["roster_label"] == "经营异常名录"
