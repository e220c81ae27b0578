"""The applicant's half of 双告知 (domain.md §11): the registration authority tells the applicant
which licences it needs before it operates, and which department issues each.

The department's half is the notice (:mod:`credit.notices.read`): one row per department and
registration event. An applicant gets one letter (告知书) per event, naming every licence the event
calls for (a change of industry: the licences the new industry needs that the old one did not, as
the departments were told): the notices of one entity and one event, on one night, read together. The letter
is derived from the notices and nothing else, so it says exactly what the departments were told;
it is never stored apart (a night's letters are the same whenever they are asked for).

Letters are what a registration counter prints or sends (``credit notices --night D --letters``),
and what the applicant reads on the public page of its entity (``/entity``, the section
许可办理告知): registration and industry are public, so what they imply is too.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TypedDict

from credit.exports import ExportNote, csv_bytes, workbook
from credit.notices.read import Notice

#: The sentence the letter rests on (国发〔2015〕62号, 先照后证: the applicant is told which licences
#: its business needs and which departments grant them).
BASIS = "《国务院关于“先照后证”改革后加强事中事后监管的意见》（国发〔2015〕62号）"


class Licence(TypedDict):
    """One licence an applicant must obtain, and the department that grants it."""

    licence: str
    department: str


class Letter(TypedDict):
    """One 告知书: an entity told, after one registration event, which licences it needs."""

    night: str                        # the night whose notices it summarises (批次日期)
    produced_on: str                  # the day, on the bureau's clock, the notices were produced (告知日期)
    uscc: str
    name: str
    event: str
    event_label: str
    industry_code: str
    previous_industry_code: str | None
    established_on: str
    address: str | None
    licences: list[Licence]
    text: str                         # the letter, in Chinese


def letter_text(name: str, event: str, industry_code: str, previous: str | None, established_on: str,
                licences: list[Licence]) -> str:
    """The letter's wording: what happened, what is needed from whom, and that the departments know."""
    what = (f"你单位的行业由 {previous} 变更为 {industry_code}" if event == "industry_changed" and previous
            else f"你单位于 {established_on} 登记成立，登记的行业为 {industry_code}")
    needs = "；".join(f"{x['licence']}（{x['department']}）" for x in licences)
    return (f"{name or '申请人'}：{what}。根据{BASIS}，从事需要许可的经营活动前，应当依法取得下列许可："
            f"{needs}。登记机关已将你单位的登记信息推送至上述许可部门。取得许可前，不得从事相关经营活动。")


def letters_of(notices: list[Notice]) -> list[Letter]:
    """The letters ``notices`` make: one per (night, entity, event), licences in the order the
    notices were produced (a department named once), letters in the order of their first notice."""
    grouped: dict[tuple[str, str, str], list[Notice]] = {}
    for n in sorted(notices, key=lambda n: n["id"]):
        grouped.setdefault((n["night"], n["uscc"], n["event"]), []).append(n)
    out: list[Letter] = []
    for items in grouped.values():
        first = items[0]
        licences: list[Licence] = []
        for n in items:
            one: Licence = {"licence": n["licence"], "department": n["department"]}
            if one not in licences:
                licences.append(one)
        out.append({
            "night": first["night"], "produced_on": first["produced_at"][:10], "uscc": first["uscc"], "name": first["name"], "event": first["event"],
            "event_label": first["event_label"], "industry_code": first["industry_code"],
            "previous_industry_code": first["previous_industry_code"], "established_on": first["established_on"],
            "address": first["address"], "licences": licences,
            "text": letter_text(first["name"], first["event"], first["industry_code"],
                                first["previous_industry_code"], first["established_on"], licences)})
    return out


#: Columns of the letters' CSV and xlsx, in this order, with the heading a clerk reads.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("night", "批次日期"), ("produced_on", "告知日期"), ("uscc", "统一社会信用代码"), ("name", "名称"), ("event_label", "告知事由"),
    ("industry_code", "行业代码"), ("previous_industry_code", "原行业代码"), ("licences", "需取得的许可"),
    ("departments", "许可部门"), ("address", "住所"), ("text", "告知书内容"),
)
#: Codes kept as text in CSV and xlsx, whatever they look like.
TEXT_COLUMNS = ("uscc", "industry_code", "previous_industry_code")


def _cells(letter: Letter) -> dict[str, object]:
    cells: dict[str, object] = dict(letter)
    cells["licences"] = "；".join(x["licence"] for x in letter["licences"])
    cells["departments"] = "；".join(x["department"] for x in letter["licences"])
    return cells


def render_letters(letters: list[Letter], fmt: str, note: ExportNote | None = None) -> bytes:
    """The bytes of ``letters`` in ``fmt`` (csv / json / xlsx): CSV UTF-8 with BOM and formula-safe
    cells, xlsx with the codes as text and the night as a date (:mod:`credit.exports`)."""
    if fmt == "json":
        return json.dumps(letters, ensure_ascii=False, indent=1).encode("utf-8")
    rows = [[_cells(x)[k] for k, _ in COLUMNS] for x in letters]
    if fmt == "csv":
        codes = [k for k, _ in COLUMNS]
        return csv_bytes([head for _, head in COLUMNS], [["" if c is None else c for c in r] for r in rows],
                         [codes.index(c) for c in TEXT_COLUMNS])
    if fmt == "xlsx":
        for r in rows:
            r[0], r[1] = date.fromisoformat(str(r[0])), date.fromisoformat(str(r[1]))
        return workbook(COLUMNS, rows, sheet="许可告知书", text_columns=TEXT_COLUMNS,
                        date_columns=("night", "produced_on"), note=note)
    raise ValueError(f"format {fmt!r} is not one of csv, json, xlsx")
