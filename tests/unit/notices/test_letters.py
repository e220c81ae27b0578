"""The applicant's half of 双告知 (domain.md §11): one letter per registration event, naming every
licence the departments were told the entity needs."""

from __future__ import annotations

import csv
import io
import json

from credit.notices.letters import letters_of, render_letters
from credit.notices.read import Notice

FOOD = "91330106MA7FD0010X"
SHOP = "91330106MA7SH0010Y"


def notice(id_: int, uscc: str, department: str, licence: str, *, event: str = "registered",
           industry: str = "C1411", previous: str | None = None, name: str = "杭州好味食品有限公司") -> Notice:
    return {"id": id_, "night": "2026-07-13", "produced_at": "2026-07-14T01:05:00+08:00", "department": department,
            "licence": licence, "event": event, "event_label": "新设登记" if event == "registered" else "变更为许可行业",
            "uscc": uscc, "name": name, "entity_kind": "enterprise", "region_code": "330106",
            "industry_code": industry, "previous_industry_code": previous, "established_on": "2026-07-06",
            "address": "杭州市西湖区文三路1号", "matched": industry[:3], "config_version": "notices-2026.1@abc"}


def test_one_letter_per_event_names_every_licence_once_in_production_order() -> None:
    notices = [
        notice(3, FOOD, "卫生健康委员会", "卫生许可证"),
        notice(1, FOOD, "市场监督管理局（食品生产许可）", "食品生产许可证"),
        notice(2, SHOP, "市场监督管理局（食品经营许可）", "食品经营许可证", name="=HYPERLINK(\"x\")", industry="H62"),
        notice(4, FOOD, "市场监督管理局（食品生产许可）", "食品生产许可证", event="industry_changed", previous="L72"),
    ]
    letters = letters_of(notices)
    assert [(x["uscc"], x["event"]) for x in letters] == [(FOOD, "registered"), (SHOP, "registered"),
                                                          (FOOD, "industry_changed")]
    first = letters[0]
    assert [lic["licence"] for lic in first["licences"]] == ["食品生产许可证", "卫生许可证"]
    assert "食品生产许可证（市场监督管理局（食品生产许可））；卫生许可证（卫生健康委员会）" in first["text"]
    assert first["text"].startswith("杭州好味食品有限公司：你单位于 2026-07-06 登记成立，登记的行业为 C1411")
    assert "国发〔2015〕62号" in first["text"]
    assert "由 L72 变更为 C1411" in letters[2]["text"]
    # the same notice twice (a department that matched at two code lengths) names its licence once
    assert len(letters_of([notices[1], {**notices[1], "id": 9}])[0]["licences"]) == 1


def test_letters_export_for_a_spreadsheet_and_as_json() -> None:
    letters = letters_of([notice(1, FOOD, "市场监督管理局（食品生产许可）", "食品生产许可证"),
                          notice(2, SHOP, "市场监督管理局（食品经营许可）", "食品经营许可证",
                                 name="=HYPERLINK(\"x\")", industry="H62")])
    raw = render_letters(letters, "csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["需取得的许可"] for r in rows] == ["食品生产许可证", "食品经营许可证"]
    assert rows[1]["名称"].startswith("'=")              # a name that would be a formula is neutralised
    assert rows[0]["告知书内容"].startswith("杭州好味食品有限公司：")
    assert json.loads(render_letters(letters, "json"))[0]["licences"] == [
        {"licence": "食品生产许可证", "department": "市场监督管理局（食品生产许可）"}]
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(render_letters(letters, "xlsx"))).active
    assert ws is not None
    header = [c.value for c in ws[1]]
    assert header[:3] == ["批次日期", "告知日期", "统一社会信用代码"]
    assert ws.cell(row=2, column=3).data_type == "s" and ws.cell(row=2, column=2).is_date


def test_a_letter_is_dated_the_day_its_notices_were_produced() -> None:
    """告知日期 is when the applicant was told (the notices' production, on the bureau's clock, the
    morning after the night), the night beside it."""
    letter = letters_of([notice(1, FOOD, "市场监督管理局（食品生产许可）", "食品生产许可证")])[0]
    assert (letter["night"], letter["produced_on"]) == ("2026-07-13", "2026-07-14")
    rows = list(csv.DictReader(io.StringIO(render_letters([letter], "csv").decode("utf-8-sig"))))
    assert (rows[0]["批次日期"], rows[0]["告知日期"]) == ("2026-07-13", "2026-07-14")
