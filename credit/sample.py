"""Deterministic generator of realistic nightly drops (样例夜间数据包) — contracts.md §1.

``write_sample`` writes one folder per night, ``<out>/<YYYY-MM-DD>/``, holding ``manifest.json``,
one file per source that changed, and ``_defects.json``: the ledger of the defects injected on
purpose (not listed in the manifest; tests and benchmarks read it). Night 1 carries a full
snapshot (``mode: full``) of all eight sources; later nights carry ``delta`` files with the
changed and new rows only, and leave out a source that did not change.

How determinism and scale are reconciled:

* Every attribute of entity ``i`` (kind, region, dates, name, its penalties, reports, ...) is a
  pure function of ``(seed, i)``: a counter-based hash (SplitMix64 finaliser, salted by
  ``numpy.random.SeedSequence``) turns ``i`` into uniforms. Any subset of entities can thus be
  rebuilt vectorised, which is what a delta night needs, without holding 10 million rows.
* Events of later nights (new registrations, closures, penalties, cures, ...) are drawn from
  ``numpy.random.Generator(PCG64(SeedSequence([seed, night, source, ...])))``.
* Events of night 1 dated after the night (late annual reports, fines paid later, published
  spot-check results, cures) are kept as small pending arrays and released on their night.
* Rows are generated and written in chunks of ``CHUNK`` entities; CSV text comes from
  ``pyarrow.csv.write_csv`` (re-encoded per chunk for GB18030), SHA-256 and row counts stream.

A drop's events are dated up to the day before its night (what happened until yesterday
evening), so no clean value is ever after the night; ``future_date`` defects are.

Defects (contracts.md §1: real files carry them): with ``defect_rate`` r, about r of the rows of
every file get one of ``DEFECT_KINDS``. ``_defects.json`` maps each file of the manifest to a
list of ``{"line", "row", "kind", "column", "normalisable"[, "duplicate_of"]}``, where ``line``
is the 1-based physical line (header = 1; Parquet rows are numbered the same way, row + 2).
Duplicates are appended at the end of the block they copy from. Normalisable kinds
(``NORMALISABLE_DEFECTS``) have a single reading; the others must be quarantined. A missing
column is never injected; ``drop_column`` makes one on demand.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import IntEnum
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from stdnum.cn import uscc as stdnum_uscc

from credit.contract.regions import COUNTIES, PROVINCE_NAME, bureau_name, city_of
from credit.contract.sources import file_sha256

__all__ = [
    "COLUMNS", "DEFECT_KINDS", "KEYS", "NORMALISABLE_DEFECTS", "SOURCES",
    "drop_column", "write_sample",
]

# ================================================================================================
# The contract (contracts.md §1): sources, columns in order, keys, value sets
# ================================================================================================
COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "registration": ("uscc", "name", "entity_kind", "legal_form", "region_code", "industry_code",
                     "registered_capital", "established_on", "status", "status_on", "address",
                     "legal_rep_hash", "updated_at"),
    "annual_reports": ("uscc", "report_year", "filed_on", "employees", "revenue", "total_tax"),
    "tax": ("uscc", "assessed_year", "tax_credit_grade", "abnormal_taxpayer_since", "arrears",
            "updated_on"),
    "social_security": ("uscc", "period", "insured_count", "arrears", "arrears_months"),
    "penalties": ("case_no", "uscc", "decided_on", "doc_no", "category", "measures", "fine_amount",
                  "heavier", "fulfilled_on"),
    "findings": ("finding_id", "uscc", "kind", "found_on", "doc_no", "department"),
    "inspection_results": ("task_id", "uscc", "inspected_on", "result_code", "result",
                           "inspector_ids", "doc_no"),
    "inspectors": ("inspector_id", "name", "department", "region_code", "fields", "active",
                   "conflicts"),
}
SOURCES: Final[tuple[str, ...]] = tuple(COLUMNS)
KEYS: Final[dict[str, tuple[str, ...]]] = {
    "registration": ("uscc",), "annual_reports": ("uscc", "report_year"),
    "tax": ("uscc", "assessed_year"), "social_security": ("uscc", "period"),
    "penalties": ("case_no",), "findings": ("finding_id",),
    "inspection_results": ("task_id", "uscc"), "inspectors": ("inspector_id",),
}
_SOURCE_NO: Final = {s: i + 1 for i, s in enumerate(SOURCES)}

ENTITY_KINDS: Final = ("enterprise", "individual", "farmer_coop")
STATUSES: Final = ("operating", "revoked", "cancelled", "moved_out")
LEGAL_FORMS: Final = ("有限责任公司", "股份有限公司", "个人独资企业", "合伙企业", "个体工商户", "农民专业合作社")
TAX_GRADES: Final = ("A", "B", "M", "C", "D")
PENALTY_CATEGORIES: Final = ("food_safety", "drugs_devices_cosmetics", "quality_special_equipment",
                             "consumer_rights", "fair_competition", "registration_fraud", "unlicensed",
                             "obstruction", "other")
MEASURES: Final = ("warning", "criticism", "fine", "confiscation", "qualification_downgrade",
                   "licence_revoked", "business_licence_revoked", "business_restricted", "suspension",
                   "closure", "practice_ban")
# A penalty carrying any of these is a 较重行政处罚 by itself (domain.md §4, 44号令 art. 2 (2)-(3)).
HEAVY_MEASURES: Final = ("qualification_downgrade", "licence_revoked", "business_licence_revoked",
                         "business_restricted", "suspension", "closure", "practice_ban")
FINDING_KINDS: Final = ("unreachable_address", "false_disclosure", "ordered_disclosure_overdue",
                        "contact_restored", "disclosure_corrected", "ordered_disclosure_done")
RESULT_CODES: Final = ("normal", "not_disclosed", "false_disclosure", "unreachable",
                       "ordered_to_correct", "not_cooperating", "not_operating", "pending")
RESULT_TEXT: Final = {
    "normal": "未发现问题", "not_disclosed": "未按规定公示应当公示的信息",
    "false_disclosure": "公示信息隐瞒真实情况、弄虚作假", "unreachable": "通过登记的住所（经营场所）无法联系",
    "ordered_to_correct": "发现问题已责令改正", "not_cooperating": "不予配合情节严重",
    "not_operating": "未发现开展本次抽查涉及的经营活动", "pending": "发现问题待后续处理",
}

# ================================================================================================
# Defects
# ================================================================================================
DEFECT_KINDS: Final = ("bad_check_digit", "lowercase_uscc", "fullwidth_digits", "stray_spaces",
                       "slash_date", "duplicate_key_conflict", "exact_duplicate", "future_date",
                       "unparsable_value", "unknown_enum")
NORMALISABLE_DEFECTS: Final = frozenset({"lowercase_uscc", "fullwidth_digits", "stray_spaces",
                                         "slash_date", "exact_duplicate"})
"""Defects with a single reading: contracts.md §1 says to normalise these, quarantine the rest."""

CHUNK: Final = 200_000
"""Entities per generation step, and rows per written block: bounds memory at any scale."""

_DAY0: Final = date(1970, 1, 1)


def _day(y: int, m: int = 1, d: int = 1) -> int:
    """Days since 1970-01-01 (the integer form of every date in this module)."""
    return (date(y, m, d) - _DAY0).days


def _to_day(d: date) -> int:
    return (d - _DAY0).days


def _year_of(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


# ================================================================================================
# Word lists (Chinese names, addresses) and the GB/T 4754-2017 divisions used
# ================================================================================================
# (division, weight among enterprises / individual businesses / co-ops, trade word in an
#  enterprise name, whole ending of a 个人独资企业 name, shop words of a 个体工商户, co-op words)
_INDUSTRIES: Final[tuple[tuple[str, float, float, float, str, str, tuple[str, ...], tuple[str, ...]], ...]] = (
    ("A01", 0.6, 1.5, 40, "农业开发", "农场", ("种植场", "家庭农场"), ("果蔬", "茶叶", "粮油", "水果", "蔬菜")),
    ("A02", 0.3, 0.3, 8, "林业", "林场", ("苗木场",), ("苗木", "竹笋")),
    ("A03", 0.4, 1.0, 14, "牧业", "养殖场", ("养殖场",), ("生猪养殖", "家禽养殖", "蜜蜂养殖")),
    ("A04", 0.3, 0.8, 10, "水产", "养殖场", ("水产养殖场",), ("水产养殖", "渔业")),
    ("A05", 0.2, 0.3, 12, "农业服务", "农机服务部", ("农机服务部",), ("农机服务", "植保")),
    ("C13", 2.0, 0.8, 2, "农副产品", "农副产品加工厂", ("粮油加工坊",), ("农产品加工",)),
    ("C14", 1.5, 1.2, 0, "食品", "食品厂", ("糕点坊", "食品作坊"), ()),
    ("C17", 3.0, 0.3, 0, "纺织", "纺织厂", ("织布坊",), ()),
    ("C18", 3.0, 0.8, 0, "服饰", "服装厂", ("服装加工店",), ()),
    ("C19", 1.0, 0.3, 0, "鞋业", "鞋厂", ("制鞋作坊",), ()),
    ("C21", 1.5, 0.4, 0, "家具", "家具厂", ("家具作坊",), ()),
    ("C24", 1.0, 0.3, 0, "工艺品", "工艺品厂", ("工艺品店",), ()),
    ("C26", 1.0, 0.0, 0, "化工", "化工厂", (), ()),
    ("C27", 0.4, 0.0, 0, "医药", "制药厂", (), ()),
    ("C29", 2.0, 0.3, 0, "塑料制品", "塑料厂", ("塑料加工店",), ()),
    ("C33", 3.0, 0.6, 0, "五金制品", "五金厂", ("五金加工店",), ()),
    ("C34", 3.0, 0.2, 0, "机械", "机械厂", ("机械加工店",), ()),
    ("C35", 1.5, 0.0, 0, "机械设备", "设备厂", (), ()),
    ("C36", 1.0, 0.0, 0, "汽车零部件", "汽配厂", (), ()),
    ("C38", 2.5, 0.2, 0, "电器", "电器厂", ("电器加工店",), ()),
    ("C39", 2.0, 0.0, 0, "电子科技", "电子厂", (), ()),
    ("D44", 0.3, 0.0, 0, "新能源", "电力工程部", (), ()),
    ("E47", 1.5, 0.0, 0, "建设", "建筑工程部", (), ()),
    ("E48", 1.0, 0.0, 0, "市政工程", "市政工程部", (), ()),
    ("E50", 2.5, 1.5, 0, "装饰工程", "装饰工程部", ("装饰工作室", "水电安装部"), ()),
    ("F51", 18.0, 6.0, 3, "贸易", "商行", ("商行", "批发部"), ("农资",)),
    ("F52", 6.0, 30.0, 0, "商贸", "百货商行", ("便利店", "超市", "服装店", "水果店", "烟酒店", "五金店", "母婴用品店"), ()),
    ("G54", 3.0, 3.0, 0, "物流", "货运部", ("货运部", "搬家服务部"), ()),
    ("G58", 1.0, 0.3, 0, "货运代理", "货运代理部", ("货运代理部",), ()),
    ("G59", 0.8, 0.2, 0, "仓储", "仓储服务部", ("仓储服务部",), ()),
    ("H61", 0.8, 2.0, 0, "酒店管理", "旅馆", ("民宿", "旅馆"), ()),
    ("H62", 2.0, 18.0, 0, "餐饮管理", "餐厅", ("小吃店", "面馆", "餐馆", "快餐店", "奶茶店"), ()),
    ("I64", 3.0, 1.0, 0, "网络科技", "网络工作室", ("网店",), ()),
    ("I65", 5.0, 0.3, 0, "信息技术", "软件工作室", ("电脑服务部",), ()),
    ("K70", 1.0, 0.8, 0, "房地产开发", "房产咨询部", ("房产信息咨询部",), ()),
    ("L71", 1.0, 0.5, 0, "租赁", "租赁部", ("设备租赁部",), ()),
    ("L72", 8.0, 1.0, 0, "企业管理咨询", "咨询服务部", ("咨询服务部", "广告设计部"), ()),
    ("M73", 1.0, 0.0, 0, "科技研发", "技术研发中心", (), ()),
    ("M74", 1.0, 0.2, 0, "检测技术", "设计工作室", ("设计工作室",), ()),
    ("M75", 5.0, 0.3, 0, "科技", "科技服务部", ("技术服务部",), ()),
    ("N77", 0.8, 0.0, 0, "环保科技", "环保服务部", (), ()),
    ("O80", 1.5, 12.0, 0, "家政服务", "家政服务部", ("理发店", "洗衣店", "美容店", "家政服务部", "摄影店"), ()),
    ("O81", 0.5, 6.0, 0, "汽车维修", "汽车修理厂", ("汽车修理部", "手机维修店", "家电维修部"), ()),
    ("P83", 1.0, 0.5, 0, "教育科技", "培训中心", ("培训部",), ()),
    ("Q84", 0.3, 0.5, 0, "医疗管理", "诊所", ("诊所",), ()),
    ("R87", 1.0, 0.3, 0, "影视传媒", "影视工作室", ("摄影工作室",), ()),
    ("R88", 1.0, 0.3, 0, "文化艺术", "艺术工作室", ("画室",), ()),
    ("R89", 0.5, 0.5, 0, "体育发展", "健身房", ("健身房",), ()),
    ("R90", 0.5, 1.0, 0, "娱乐", "娱乐中心", ("棋牌室", "台球室"), ()),
)
_BRAND_CHARS: Final = tuple("恒信华泰鑫盛宏达瑞丰汇通锦明金银天宇博远康安嘉祥兴隆德润福佳新创智源诚正永利百合中和星辰海山"
                            "杰凯伟益聚力胜美宝晨东方浙越江湖之光联耀鼎森旺腾飞龙凤启航禾谷悦欣怡蓝")
_SURNAMES: Final = tuple("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏"
                         "苏吕丁任沈姚卢傅钟姜崔谭陆范汪金石方俞应楼")
_GIVEN_CHARS: Final = tuple("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文红玲辉鹏飞晓燕斌波宇浩凯婷雪琳俊峰"
                            "海鑫佳欣怡航")
_ROADS: Final = ("人民路", "解放路", "中山路", "建设路", "新华路", "文化路", "环城北路", "环城南路", "江南大道",
                 "滨江路", "学院路", "工业路", "创业路", "科技路", "东风路", "青年路", "和平路", "胜利路",
                 "长安路", "凤起路", "延安路", "庆春路", "文三路", "天目山路", "世纪大道", "开发大道",
                 "振兴路", "金山路", "望江路", "湖滨路", "府前路", "商城大道", "兴业路", "园区路")
# GB/T 4754 sections an inspector may cover (执法检查人员的专业领域), with weights.
_SECTIONS: Final = (("A", 1.0), ("C", 3.0), ("E", 1.0), ("F", 3.0), ("G", 1.0), ("H", 2.0),
                    ("I", 1.0), ("K", 0.5), ("L", 1.0), ("M", 1.0), ("O", 1.0), ("P", 0.5),
                    ("Q", 0.5), ("R", 0.5))
# Relative weight of each city in the province's population of market entities.
_CITY_WEIGHT: Final = {"330100": 20, "330200": 15, "330300": 14, "330400": 8, "330500": 5,
                       "330600": 8, "330700": 12, "330800": 3, "330900": 2, "331000": 10, "331100": 3}


class _Vocab:
    """Every fixed string used in names and addresses, indexed so rows carry small integers."""

    def __init__(self) -> None:
        self.words: list[str] = []
        self._index: dict[str, int] = {}

    def id(self, s: str) -> int:
        if s not in self._index:
            self._index[s] = len(self.words)
            self.words.append(s)
        return self._index[s]

    def ids(self, items: Iterable[str]) -> np.ndarray:
        return np.array([self.id(s) for s in items], dtype=np.int32)


def _county_doc_prefix(c: Any) -> str:
    """Issuing-office part of a document number: 杭西 for 杭州市西湖区, 义 for 义乌市 (文书字号)."""
    if not c.is_district:
        return str(c.name[0])
    abbr = city_of(c.code).abbr
    return str(c.name[:2]) if c.name[0] == abbr else abbr + c.name[0]  # 金东区 -> 金东, not 金金


_V = _Vocab()
_EMPTY: Final = _V.id("")
_BRAND_IDS: Final = _V.ids(_BRAND_CHARS)
_SURNAME_IDS: Final = _V.ids(_SURNAMES)
_GIVEN_IDS: Final = _V.ids(_GIVEN_CHARS)
_JI: Final = _V.id("记")
_ROAD_IDS: Final = _V.ids(_ROADS)
_IND_CODES: Final = tuple(r[0] for r in _INDUSTRIES)
_IND_TRADE: Final = _V.ids(r[4] for r in _INDUSTRIES)
_IND_SOLE: Final = _V.ids(r[5] for r in _INDUSTRIES)


def _word_table(lists: Sequence[tuple[str, ...]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flattened word lists per industry: (vocab ids, offset of each industry, count >= 1)."""
    flat: list[int] = []
    offsets, counts = [], []
    for words in lists:
        offsets.append(len(flat))
        counts.append(max(1, len(words)))
        flat.extend(_V.id(w) for w in words) if words else flat.append(_EMPTY)
    return np.array(flat, np.int32), np.array(offsets, np.int64), np.array(counts, np.int64)


_SHOP_IDS, _SHOP_OFF, _SHOP_CNT = _word_table([r[6] for r in _INDUSTRIES])
_COOP_IDS, _COOP_OFF, _COOP_CNT = _word_table([r[7] for r in _INDUSTRIES])
# Legal-form endings of enterprise names; 个人独资企业 uses the industry's own ending.
_FORM_SUFFIX: Final = _V.ids(("有限公司", "股份有限公司", "", "合伙企业（有限合伙）", "", "专业合作社"))
_COOP_SUFFIX: Final = _V.id("专业合作社")
# Per county: name prefixes (enterprise: city short name, or the county's own name for a county
# or county-level city; individual and co-op: the full county name), address prefix, bureau.
_CNTY_CODE: Final = np.array([int(c.code) for c in COUNTIES], dtype=np.int64)
_CNTY_ENT_PREFIX: Final = _V.ids(c.name if not c.is_district else city_of(c.code).short for c in COUNTIES)
_CNTY_IND_PREFIX: Final = _V.ids((city_of(c.code).name + c.name) if c.is_district else c.name for c in COUNTIES)
_CNTY_ADDR: Final = _V.ids(PROVINCE_NAME + city_of(c.code).name + c.name for c in COUNTIES)
_CNTY_BUREAU: Final = _V.ids(bureau_name(c.code) for c in COUNTIES)
_CNTY_DOC: Final = _V.ids(_county_doc_prefix(c) for c in COUNTIES)
_CNTY_CODE_STR: Final = _V.ids(c.code for c in COUNTIES)
_CNTY_CITY: Final = np.array([c.city_code for c in COUNTIES])
_CITY_FIRST_COUNTY: Final = np.array([int(np.flatnonzero(_CNTY_CITY == x)[0]) for x in _CNTY_CITY])
_CITY_LAST_COUNTY: Final = np.array([int(np.flatnonzero(_CNTY_CITY == x)[-1]) for x in _CNTY_CITY])
_VOCAB: Final = pa.array(_V.words, pa.string())


def _w(ids: np.ndarray) -> pa.Array:
    """Strings of vocabulary ids."""
    return _VOCAB.take(pa.array(np.asarray(ids, dtype=np.int32)))


# ================================================================================================
# Counter-based randomness: uniforms as a pure function of (seed, stream, row id)
# ================================================================================================
class _S(IntEnum):
    """Independent random streams (one per attribute)."""

    KIND = 1
    COUNTY = 2
    EST = 3
    FORM = 4
    INDUSTRY = 5
    CAPITAL = 6
    CAPITAL2 = 7
    CAPITAL3 = 8
    STATUS = 9
    STATUS_ON = 10
    UPDATED = 11
    AUTHORITY = 12
    REP_SHARED = 13
    REP_POOL = 14
    BRAND1 = 15
    BRAND2 = 16
    SURNAME = 17
    SURNAME_USE = 18
    SHOP = 19
    COOP = 20
    ADDR_ROAD = 21
    ADDR_NO = 22
    ADDR_ROOM = 23
    ADDR_BLD = 24
    ADDR_FLOOR = 25
    UPD_TIME = 26
    PEN_HAS = 30
    PEN_DAY = 31
    PEN_CAT = 32
    PEN_KIND = 33
    PEN_CRIT = 34
    PEN_CONF = 35
    PEN_HEAVY = 36
    PEN_HEAVY_KIND = 37
    PEN_AGGR = 38
    PEN_FINE1 = 39
    PEN_FINE2 = 40
    PEN_PAID = 41
    PEN_PAID_DAY = 42
    PEN_DOC = 43
    AR_FILE = 50
    AR_DAY = 51
    AR_Z1 = 52
    AR_Z2 = 53
    AR_Z3 = 54
    AR_Z4 = 55
    AR_ZERO = 56
    AR_TAX = 57
    AR_IND = 58
    TAX_HAS = 60
    TAX_GRADE = 61
    TAX_NEW = 62
    TAX_ABN = 63
    TAX_ABN_DAY = 64
    TAX_ARR = 65
    TAX_ARR1 = 66
    TAX_ARR2 = 67
    TAX_UPD = 68
    SOC_HAS = 70
    SOC_ZERO = 71
    SOC_Z1 = 72
    SOC_Z2 = 73
    SOC_ARR = 74
    SOC_ARR_M = 75
    SOC_JIT = 76
    SOC_RATE = 77
    FIND_HAS = 80
    FIND_DAY = 81
    FIND_CURE = 82
    FIND_CURE_DAY = 83
    FIND_DOC = 84
    INSP_HAS = 90
    INSP_DAY = 91
    INSP_CODE = 92
    INSP_PUB = 93
    INSP_A = 94
    INSP_B = 95


class _Slot(IntEnum):
    """Row families of one entity: row id = entity index * 32 + slot."""

    ENTITY = 0
    PEN0 = 1  # PEN0 + k for the entity's k-th penalty (2 at most)
    PEN1 = 2
    AR = 3  # AR + j for report year j (3 years: slots 3-5)
    TAX = 7
    SOC = 8
    SOC_P = 9  # SOC_P + j for social-security period j (slots 9-11)
    FIND = 13
    INSP = 14  # INSP + t for spot-check task t (slots 14-18)
    ADDR = 24


_GAMMA: Final = np.uint64(0x9E3779B97F4A7C15)
_M1: Final = np.uint64(0xBF58476D1CE4E5B9)
_M2: Final = np.uint64(0x94D049BB133111EB)


def _mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser: a bijective, well-mixed hash of uint64 (wraps on purpose)."""
    z = x + _GAMMA
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


class _Keys:
    """Per-stream salts derived from the seed through numpy's SeedSequence (never hash())."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._salts: dict[int, np.uint64] = {}

    def salt(self, stream: int) -> np.uint64:
        s = self._salts.get(stream)
        if s is None:
            s = np.random.SeedSequence([self.seed, 0x5A3B1E, stream]).generate_state(1, np.uint64)[0]
            self._salts[stream] = s
        return s

    def uniform(self, stream: int, ids: np.ndarray) -> np.ndarray:
        salt = self.salt(stream)
        h = _mix64(_mix64(ids ^ salt) + salt)
        return (h >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


class _Draw:
    """Uniforms for n rows, one independent stream per attribute."""

    n: int

    def u(self, stream: int) -> np.ndarray:
        raise NotImplementedError

    def normal(self, s1: int, s2: int) -> np.ndarray:
        """Standard normal by Box–Muller (1 - u keeps the logarithm finite)."""
        return np.sqrt(-2.0 * np.log1p(-self.u(s1))) * np.cos(2.0 * np.pi * self.u(s2))

    def below(self, stream: int, k: np.ndarray | int) -> np.ndarray:
        """Integers uniform in [0, k)."""
        return np.minimum((self.u(stream) * k).astype(np.int64), np.asarray(k, dtype=np.int64) - 1)


class _HashDraw(_Draw):
    """Draws that depend only on (seed, stream, row id): any subset can be rebuilt alike."""

    def __init__(self, keys: _Keys, ids: np.ndarray) -> None:
        self.keys, self.ids, self.n = keys, ids.astype(np.uint64), ids.size

    def u(self, stream: int) -> np.ndarray:
        return self.keys.uniform(int(stream), self.ids)


class _RngDraw(_Draw):
    """Draws from a PCG64 generator: for events of one night and one source."""

    def __init__(self, rng: np.random.Generator, n: int) -> None:
        self.rng, self.n = rng, n

    def u(self, stream: int) -> np.ndarray:
        return self.rng.random(self.n)


def _pick(u: np.ndarray, weights: Sequence[float] | np.ndarray) -> np.ndarray:
    """Category index for each uniform, with the given relative weights."""
    w = np.asarray(weights, dtype=np.float64)
    cdf = np.cumsum(w) / w.sum()
    return np.minimum(np.searchsorted(cdf, u, side="right"), len(w) - 1)


def _rng(seed: int, *parts: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, *parts])))


# ================================================================================================
# USCC (统一社会信用代码), vectorised — domain.md §1
# ================================================================================================
_ALPHABET: Final = b"0123456789ABCDEFGHJKLMNPQRTUWXY"
_ALPHA: Final = np.frombuffer(_ALPHABET, dtype=np.uint8)
_ALPHA_VAL: Final = np.full(256, -1, dtype=np.int64)
_ALPHA_VAL[_ALPHA] = np.arange(31)
_ORG_VAL: Final = np.full(256, -1, dtype=np.int64)  # GB 11714: 0-9, then A=10 ... Z=35, no gaps
_ORG_VAL[np.arange(48, 58)] = np.arange(10)
_ORG_VAL[np.arange(65, 91)] = np.arange(10, 36)
_W18: Final = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)
_W17: Final = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_NEW_STYLE_FROM: Final = _day(2015, 10, 1)  # GB 32100 in force: new bodies are assigned "MA…"


def _gb11714_check(body: np.ndarray) -> np.ndarray:
    """Pos. 17: GB 11714 check over the 8-character body, C = 11 - (Σ v·w mod 11); 10→X, 11→0."""
    c = 11 - (_ORG_VAL[body] * _W17).sum(axis=1) % 11
    return np.where(c == 10, ord("X"), np.where(c == 11, ord("0"), ord("0") + c)).astype(np.uint8)


def _gb32100_check(first17: np.ndarray) -> np.ndarray:
    """Pos. 18: (31 - Σ value·3^(i-1) mod 31) mod 31 over the 31-symbol alphabet."""
    s = (_ALPHA_VAL[first17] * _W18).sum(axis=1)
    return _ALPHA[(31 - s % 31) % 31]


def _base_digits(v: np.ndarray, base: int, width: int) -> np.ndarray:
    """(n, width) little array of base-`base` digits of v, most significant first."""
    out = np.empty((v.size, width), dtype=np.int64)
    for j in range(width - 1, -1, -1):
        out[:, j] = v % base
        v = v // base
    return out


@dataclass(frozen=True)
class _Perm:
    """x -> (a·x + b) mod m, a bijection on [0, m) because gcd(a, m) = 1: unique ids from serials."""

    a: int
    b: int
    m: int

    def __call__(self, x: np.ndarray) -> np.ndarray:
        # a < 2^31 and x < 2^33 keep a·x inside uint64.
        return (x.astype(np.uint64) * np.uint64(self.a) + np.uint64(self.b)) % np.uint64(self.m)


def _make_perm(rng: np.random.Generator, m: int, coprime_to: tuple[int, ...]) -> _Perm:
    while True:
        a = int(rng.integers(10_000_000, 1 << 31))
        if all(a % p for p in coprime_to):
            return _Perm(a, int(rng.integers(0, m)), m)


def _make_usccs(ctx: _Ctx, idx: np.ndarray, kind: np.ndarray, authority: np.ndarray,
                est: np.ndarray) -> np.ndarray:
    """Valid USCCs (GB 32100) for entities, as an 'S18' array, unique per entity index.

    pos. 1 '9' (market regulation), pos. 2 '1' enterprise / '2' 个体工商户 / '3' 农民专业合作社,
    pos. 3-8 the registering authority's GB/T 2260 code, pos. 9-16 the body: 'MA' + 6 symbols
    for entities registered since the standard (2015-10), the old 8-digit organisation code
    (组织机构代码) before, and 'L' + 7 symbols for older 个体工商户; pos. 17 GB 11714, pos. 18 GB 32100.
    Each body is a bijection of the entity index, so codes never collide.
    """
    n = idx.size
    m = np.empty((n, 18), dtype=np.uint8)
    m[:, 0] = ord("9")
    m[:, 1] = ord("1") + kind
    m[:, 2:8] = (48 + _base_digits(authority, 10, 6)).astype(np.uint8)
    new_body = np.empty((n, 8), dtype=np.uint8)
    new_body[:, 0], new_body[:, 1] = ord("M"), ord("A")
    new_body[:, 2:] = _ALPHA[_base_digits(ctx.perm_new(idx).astype(np.int64), 31, 6)]
    old_body = (48 + _base_digits(ctx.perm_old(idx).astype(np.int64), 10, 8)).astype(np.uint8)
    ind_body = np.empty((n, 8), dtype=np.uint8)
    ind_body[:, 0] = ord("L")
    ind_body[:, 1:] = _ALPHA[_base_digits(ctx.perm_ind(idx).astype(np.int64), 31, 7)]
    new = (est >= _NEW_STYLE_FROM)[:, None]
    m[:, 8:16] = np.where(new, new_body, np.where((kind == 1)[:, None], ind_body, old_body))
    m[:, 16] = _gb11714_check(m[:, 8:16])
    m[:, 17] = _gb32100_check(m[:, :17])
    codes = m.view("S18").ravel()
    # Belt and braces: a few codes per batch must satisfy the reference implementation.
    for c in codes[:: max(1, n // 4)][:4].tolist():
        if stdnum_uscc.calc_check_digit(c[:17].decode()) != chr(c[17]):
            raise RuntimeError(f"USCC generator disagrees with python-stdnum on {c!r}")
    return codes


# ================================================================================================
# The generation context
# ================================================================================================
class _Ctx:
    """Everything fixed for one call: seed-derived salts and permutations, calendar anchors."""

    def __init__(self, seed: int, entities: int, start: date, defect_rate: float) -> None:
        self.seed = seed
        self.n_base = entities
        self.start = start
        self.cut1 = _to_day(start) - 1  # night 1 carries events up to the day before
        self.keys = _Keys(seed)
        self.defect_rate = defect_rate
        y = start.year
        self.report_years = (y - 3, y - 2, y - 1)
        self.assessed_year = y - 1
        first_of_month = date(y, start.month, 1)
        months = []
        for back in (3, 2, 1):
            mm = (start.month - 1 - back) % 12 + 1
            yy = y + (start.month - 1 - back) // 12
            months.append(date(yy, mm, 1))
        self.periods = tuple(months)
        self.period_labels = pa.array([f"{d.year:04d}-{d.month:02d}" for d in months])
        ends = [*months[1:], first_of_month]
        self.period_start = np.array([_to_day(d) for d in months], dtype=np.int64)
        self.period_end = np.array([_to_day(d) - 1 for d in ends], dtype=np.int64)
        # Spot-check tasks (抽查任务) of this year: four finished ones and one in progress.
        self.task_year = y
        self.task_start = np.array([self.cut1 - 150 + 30 * t for t in range(4)] + [self.cut1 - 5])
        self.task_ratio = (0.03, 0.03, 0.03, 0.03, 0.01)  # 企业公示信息抽查办法 art. 4: >= 3 %
        self.task_ids = pa.array([f"T{y}-{t:04d}" for t in range(1, 6)])
        r = _rng(seed, 0xC0DE)
        self.perm_new = _make_perm(r, 31 ** 6, (31,))
        self.perm_old = _make_perm(r, 10 ** 8, (2, 5))
        self.perm_ind = _make_perm(r, 31 ** 7, (31,))
        self.perm_id = _make_perm(r, 10 ** 10, (2, 5))
        w = np.array([_CITY_WEIGHT[c.city_code] / sum(1 for x in COUNTIES if x.city_code == c.city_code)
                      for c in COUNTIES])
        self.county_weights = w / w.sum()
        self.rep_pool = max(1, entities // 200)  # ~2 % of entities share ~4 legal reps each
        self.new_est = np.zeros(0, dtype=np.int64)  # established day of entities born on deltas

    def hd(self, idx: np.ndarray, slot: int) -> _HashDraw:
        return _HashDraw(self.keys, idx.astype(np.uint64) * np.uint64(32) + np.uint64(slot))


_Rows = dict[str, np.ndarray]


def _take(rows: _Rows, sel: np.ndarray) -> _Rows:
    return {k: v[sel] for k, v in rows.items()}


def _concat(parts: Sequence[_Rows]) -> _Rows | None:
    parts = [p for p in parts if p and len(next(iter(p.values())))]
    if not parts:
        return None
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _nrows(rows: _Rows | None) -> int:
    return 0 if not rows else len(next(iter(rows.values())))


# ================================================================================================
# Entities (市场主体) and their registration rows — domain.md §1
# ================================================================================================
_KIND_WEIGHTS: Final = (0.40, 0.55, 0.05)
_ENT_FORM_WEIGHTS: Final = (0.80, 0.03, 0.12, 0.05)
_STATUS_WEIGHTS: Final = (0.90, 0.03, 0.06, 0.01)
_CAPITAL_ROUND: Final = np.array([100_000, 300_000, 500_000, 1_000_000, 2_000_000, 3_000_000, 5_000_000,
                                  10_000_000, 20_000_000, 50_000_000, 100_000_000], dtype=np.int64)
_CAPITAL_ROUND_W: Final = (8, 6, 14, 22, 8, 6, 12, 12, 4, 3, 1)


def _entities(ctx: _Ctx, idx: np.ndarray) -> tuple[_Rows, _Rows | None]:
    """State of entities `idx` as of night 1, plus their penalties (which can revoke a licence)."""
    idx = np.asarray(idx, dtype=np.int64)
    n = idx.size
    d = ctx.hd(idx, _Slot.ENTITY)
    kind = _pick(d.u(_S.KIND), _KIND_WEIGHTS).astype(np.int64)
    county = _pick(d.u(_S.COUNTY), ctx.county_weights).astype(np.int64)
    # Establishment: the population grew roughly exponentially since 1995 (younger for
    # individual businesses); co-ops exist since the 2007 co-operative law.
    lo, hi = _day(1995), ctx.cut1 - 1
    span = hi - lo
    lam = np.where(kind == 1, 0.15, 0.10) / 365.25
    u = d.u(_S.EST)
    est = lo + np.floor(np.log1p(u * np.expm1(lam * span)) / lam).astype(np.int64)
    coop_lo = _day(2007, 7, 1)
    est = np.where(kind == 2, coop_lo + (u * (hi - coop_lo)).astype(np.int64), est)
    est = np.minimum(est, hi)
    born = idx >= ctx.n_base
    if born.any():
        est[born] = ctx.new_est[idx[born] - ctx.n_base]
    form = np.where(kind == 0, _pick(d.u(_S.FORM), _ENT_FORM_WEIGHTS), np.where(kind == 1, 4, 5))
    industry = np.empty(n, dtype=np.int64)
    for k in range(3):
        mk = kind == k
        industry[mk] = _pick(d.u(_S.INDUSTRY)[mk], [r[1 + k] for r in _INDUSTRIES])
    # Registered capital (注册资本 / 出资额 / 资金数额), in cents; -1 = not declared.
    u1, u2, u3 = d.u(_S.CAPITAL), d.u(_S.CAPITAL2), d.u(_S.CAPITAL3)
    round_amt = _CAPITAL_ROUND[_pick(u2, _CAPITAL_ROUND_W)]
    odd_amt = (np.floor(10 ** (4.5 + 3 * u3) / 1000) * 1000).astype(np.int64)
    ent_cap = np.where(u1 < 0.85, round_amt, odd_amt)
    ent_cap = np.where(form == 1, np.maximum(ent_cap, 5_000_000), ent_cap)  # 股份有限公司
    ent_cap = np.where(form == 2, np.minimum(ent_cap, 1_000_000), ent_cap)  # 个人独资企业 stay small
    ind_cap = np.where(u1 < 0.45, 1000 * (1 + (u3 * 300).astype(np.int64)), -1)
    coop_cap = 10_000 * (5 + (u3 * 495).astype(np.int64))
    capital = np.where(kind == 0, ent_cap, np.where(kind == 1, ind_cap, coop_cap))
    capital = np.where(capital >= 0, capital * 100, -1)
    # Status as of night 1: a young entity is operating; closures fall after establishment.
    status = _pick(d.u(_S.STATUS), _STATUS_WEIGHTS).astype(np.int64)
    status[(ctx.cut1 - est) < 90] = 0
    room = np.maximum(ctx.cut1 - (est + 30), 0)
    status_on = np.where(status > 0, est + 30 + (d.u(_S.STATUS_ON) * (room + 1)).astype(np.int64), -1)
    status_on = np.where(status > 0, np.minimum(status_on, ctx.cut1), -1)
    if born.any():
        status[born], status_on[born] = 0, -1
    # Penalties: a business licence revoked by penalty (吊销营业执照) makes the entity revoked.
    pen = _penalty_slots(ctx, idx, county, est, status, status_on)
    if pen is not None:
        blr = (pen["measures"] & (1 << MEASURES.index("business_licence_revoked"))) > 0
        if blr.any():
            when = np.full(n, np.iinfo(np.int64).max)
            np.minimum.at(when, pen["pos"][blr], pen["decided"][blr])
            hit = when < np.iinfo(np.int64).max
            status[hit], status_on[hit] = 1, when[hit]
    # The registering authority: a city bureau for some enterprises, else the county's.
    authority = np.where((kind == 0) & (d.u(_S.AUTHORITY) < 0.3), _CNTY_CODE[county] // 100 * 100,
                         _CNTY_CODE[county])
    uscc = _make_usccs(ctx, idx, kind, authority, est)
    recent = np.maximum(est, ctx.cut1 - 900)
    updated = np.where(status > 0, status_on,
                       recent + (d.u(_S.UPDATED) * (ctx.cut1 - recent + 1)).astype(np.int64))
    updated = np.minimum(updated, ctx.cut1)
    shared = d.u(_S.REP_SHARED) < 0.02
    rep = np.where(shared, (1 << 40) + d.below(_S.REP_POOL, ctx.rep_pool), idx)
    ent = {"idx": idx, "kind": kind, "county": county, "est": est, "form": form, "industry": industry,
           "capital": capital, "status": status, "status_on": status_on, "updated": updated,
           "uscc": uscc, "rep": rep, "addr_var": np.zeros(n, dtype=np.int64)}
    return ent, pen


_DATE_LO, _DATE_HI = _day(1900), _day(2100)
_DATE_TEXT: Final = pa.array(np.arange(_DATE_LO, _DATE_HI).astype("datetime64[D]").astype(str), pa.string())


def _days(days: np.ndarray) -> pa.Array:
    """ISO dates; negative means empty (unknown). A lookup is ~10x faster than casting dates."""
    a = np.asarray(days, dtype=np.int64)
    empty = a < 0
    if ((a < _DATE_LO) & ~empty).any() or (a >= _DATE_HI).any():  # pragma: no cover - far dates
        return pa.array(a.astype(np.int32), mask=empty).cast(pa.date32()).cast(pa.string())
    return _DATE_TEXT.take(pa.array(a - _DATE_LO, mask=empty if empty.any() else None))


def _str(values: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    arr = pa.array(np.asarray(values), mask=mask if mask is not None and mask.any() else None)
    return arr.cast(pa.string())


def _money(cents: np.ndarray, empty: np.ndarray | None = None) -> pa.Array:
    """Yuan with exactly two decimals, from integer cents (no float formatting surprises)."""
    c = np.asarray(cents, dtype=np.int64)
    yuan = _str(c // 100)
    frac = pc.utf8_lpad(_str(c % 100), 2, "0")
    out = pc.binary_join_element_wise(yuan, frac, ".")
    if empty is not None and empty.any():
        out = pc.if_else(pa.array(empty), pa.scalar(None, pa.string()), out)
    return out


def _join(*parts: Any) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _padded(values: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(_str(values), width, "0")


def _names(ctx: _Ctx, e: _Rows) -> pa.Array:
    """Chinese names: 杭州恒信贸易有限公司, 杭州市西湖区老陈记小吃店, 安吉县禾丰茶叶专业合作社."""
    d = ctx.hd(e["idx"], _Slot.ENTITY)
    kind, county, ind, form = e["kind"], e["county"], e["industry"], e["form"]
    b1 = _BRAND_IDS[d.below(_S.BRAND1, len(_BRAND_IDS))]
    b2 = _BRAND_IDS[d.below(_S.BRAND2, len(_BRAND_IDS))]
    surname = (kind == 1) & (d.u(_S.SURNAME_USE) < 0.3)
    b1 = np.where(surname, _SURNAME_IDS[d.below(_S.SURNAME, len(_SURNAME_IDS))], b1)
    b2 = np.where(surname, _JI, b2)
    shop = _SHOP_IDS[_SHOP_OFF[ind] + d.below(_S.SHOP, _SHOP_CNT[ind])]
    coop = _COOP_IDS[_COOP_OFF[ind] + d.below(_S.COOP, _COOP_CNT[ind])]
    prefix = np.where(kind == 0, _CNTY_ENT_PREFIX[county], _CNTY_IND_PREFIX[county])
    sole = form == 2  # 个人独资企业: 杭州恒信商行, no trade word before the ending
    word = np.where(kind == 0, np.where(sole, _EMPTY, _IND_TRADE[ind]), np.where(kind == 1, shop, coop))
    suffix = np.where(kind == 0, np.where(sole, _IND_SOLE[ind], _FORM_SUFFIX[form]),
                      np.where(kind == 1, _EMPTY, _COOP_SUFFIX))
    return _join(_w(prefix), _w(b1), _w(b2), _w(word), _w(suffix))


def _addresses(ctx: _Ctx, idx: np.ndarray, county: np.ndarray, variant: np.ndarray) -> pa.Array:
    """浙江省杭州市西湖区文三路123号[5幢1203室]; `variant` > 0 after a change of domicile."""
    ids = (idx.astype(np.uint64) * np.uint64(32) + np.uint64(_Slot.ADDR)) * np.uint64(4096) \
        + variant.astype(np.uint64)
    d = _HashDraw(ctx.keys, ids)
    road = _ROAD_IDS[d.below(_S.ADDR_ROAD, len(_ROAD_IDS))]
    no = 1 + d.below(_S.ADDR_NO, 899)
    room = d.u(_S.ADDR_ROOM) < 0.6
    bld = 1 + d.below(_S.ADDR_BLD, 20)
    flat = (1 + d.below(_S.ADDR_FLOOR, 25)) * 100 + 1 + d.below(_S.ADDR_ROOM, 12)
    unit = pc.if_else(pa.array(room), _join(_str(bld), "幢", _str(flat), "室"), "")
    return _join(_w(_CNTY_ADDR[county]), _w(road), _str(no), "号", unit)


def _rep_hashes(seed: int, rep: np.ndarray) -> pa.Array:
    """legal_rep_hash: hex SHA-256 of a synthetic person id (法定代表人/经营者, never a real id).

    hashlib has no batch interface; one C call per row costs ~0.7 µs, cheaper than a numpy
    SHA-256 would be, so this is the one row-wise comprehension of the generator.
    """
    prefix = b"zj-legal-rep:%d:" % seed
    return pa.array([hashlib.sha256(prefix + b"%d" % r).hexdigest() for r in rep.tolist()], pa.string())


def _timestamps(ctx: _Ctx, e: _Rows) -> pa.Array:
    """updated_at as ISO date-time within office hours (08:00-19:59) of the day of the change."""
    d = ctx.hd(e["idx"], _Slot.ENTITY)
    secs = 8 * 3600 + d.below(_S.UPD_TIME, 12 * 3600)
    t = e["updated"].astype("datetime64[D]").astype("datetime64[s]") + secs.astype("timedelta64[s]")
    # A cast is ~50x faster than pc.strftime; it writes "YYYY-MM-DD hh:mm:ss".
    return pc.replace_substring(pa.array(t).cast(pa.string()), " ", "T")


def _registration_table(ctx: _Ctx, e: _Rows) -> pa.Table:
    return pa.table({
        "uscc": pa.array(e["uscc"]).cast(pa.string()),
        "name": _names(ctx, e),
        "entity_kind": pa.array(ENTITY_KINDS).take(pa.array(e["kind"])),
        "legal_form": pa.array(LEGAL_FORMS).take(pa.array(e["form"])),
        "region_code": _w(_CNTY_CODE_STR[e["county"]]),
        "industry_code": pa.array(_IND_CODES).take(pa.array(e["industry"])),
        "registered_capital": _money(e["capital"], e["capital"] < 0),
        "established_on": _days(e["est"]),
        "status": pa.array(STATUSES).take(pa.array(e["status"])),
        "status_on": _days(e["status_on"]),
        "address": _addresses(ctx, e["idx"], e["county"], e["addr_var"]),
        "legal_rep_hash": _rep_hashes(ctx.seed, e["rep"]),
        "updated_at": _timestamps(ctx, e),
    })


# ================================================================================================
# Penalties (行政处罚) — domain.md §4, §6
# ================================================================================================
_CATEGORY_WEIGHTS: Final = (12, 5, 10, 10, 12, 6, 12, 3, 30)
_HEAVY_WEIGHTS: Final = (10, 20, 15, 15, 30, 5, 5)  # in the order of HEAVY_MEASURES
_BIT: Final = {m: 1 << i for i, m in enumerate(MEASURES)}


def _penalty_attrs(d: _Draw, decided: np.ndarray) -> _Rows:
    """Category, measures (bit set), fine, 较重 flag and fulfilment day of penalties."""
    category = _pick(d.u(_S.PEN_CAT), _CATEGORY_WEIGHTS)
    warning_only = d.u(_S.PEN_KIND) < 0.20
    measures = np.where(warning_only, _BIT["warning"], _BIT["fine"]).astype(np.int64)
    measures |= np.where(~warning_only & (d.u(_S.PEN_CRIT) < 0.05), _BIT["criticism"], 0)
    measures |= np.where(~warning_only & (d.u(_S.PEN_CONF) < 0.25), _BIT["confiscation"], 0)
    heavy = ~warning_only & (d.u(_S.PEN_HEAVY) < 0.11)
    heavy_bit = np.array([_BIT[m] for m in HEAVY_MEASURES])[_pick(d.u(_S.PEN_HEAVY_KIND), _HEAVY_WEIGHTS)]
    measures |= np.where(heavy, heavy_bit, 0)
    # A fine set under the 从重 principle is also a heavier penalty (44号令 art. 2 (1)).
    aggravated = ~warning_only & ~heavy & (d.u(_S.PEN_AGGR) < 0.08)
    heavier = heavy | aggravated
    z = d.normal(_S.PEN_FINE1, _S.PEN_FINE2)
    median = np.where(heavier, 150_000.0, 5_000.0)
    fine_yuan = np.maximum(500, np.round(median * np.exp(1.1 * z) / 100) * 100).astype(np.int64)
    has_fine = (measures & _BIT["fine"]) > 0
    fine = np.where(has_fine, fine_yuan * 100, 0)
    paid = d.u(_S.PEN_PAID) < np.where(has_fine, 0.78, 0.90)
    lag = np.where(has_fine, 3 + d.below(_S.PEN_PAID_DAY, 60), d.below(_S.PEN_PAID_DAY, 10))
    fulfilled = np.where(paid, decided + lag, -1)
    return {"decided": decided, "category": category, "measures": measures, "fine": fine,
            "heavier": heavier, "fulfilled": fulfilled, "doc_n": 1 + d.below(_S.PEN_DOC, 3000)}


def _penalty_slots(ctx: _Ctx, idx: np.ndarray, county: np.ndarray, est: np.ndarray,
                   status: np.ndarray, status_on: np.ndarray) -> _Rows | None:
    """Penalties known on night 1: ~3 % of entities, a fifth of them twice, decided since 2024."""
    parts = []
    has = None
    for slot in (0, 1):
        d = ctx.hd(idx, _Slot.PEN0 + slot)
        u = d.u(_S.PEN_HAS)
        has = (u < 0.03) if slot == 0 else (has & (u < 0.20))
        lo = np.maximum(est + 30, _day(ctx.start.year - 2))
        hi = np.where(status > 0, np.minimum(status_on, ctx.cut1), ctx.cut1)
        ok = has & (hi >= lo)
        if not ok.any():
            continue
        sel = np.flatnonzero(ok)
        sub = ctx.hd(idx[sel], _Slot.PEN0 + slot)
        decided = lo[sel] + (sub.u(_S.PEN_DAY) * (hi[sel] - lo[sel] + 1)).astype(np.int64)
        rows = _penalty_attrs(sub, decided)
        rows.update(pos=sel, county=county[sel], serial=idx[sel] * 2 + slot)
        parts.append(rows)
    return _concat(parts)


def _penalty_table(ctx: _Ctx, r: _Rows, cut: int) -> pa.Table:
    year = _str(_year_of(r["decided"]))
    case = _join(_w(_CNTY_CODE_STR[r["county"]]), year, _padded(ctx.perm_id(r["serial"]), 10))
    doc = _join(_w(_CNTY_DOC[r["county"]]), "市监处罚〔", year, "〕", _str(r["doc_n"]), "号")
    pieces = [pc.if_else(pa.array((r["measures"] & _BIT[m]) > 0), m, pa.scalar(None, pa.string()))
              for m in MEASURES]
    measures = pc.binary_join_element_wise(*pieces, ";", null_handling="skip")
    shown = np.where(r["fulfilled"] <= cut, r["fulfilled"], -1)  # paid after the cut: not yet known
    return pa.table({
        "case_no": case, "uscc": pa.array(r["uscc"]).cast(pa.string()), "decided_on": _days(r["decided"]),
        "doc_no": doc, "category": pa.array(PENALTY_CATEGORIES).take(pa.array(r["category"])),
        "measures": measures, "fine_amount": _money(r["fine"]),
        "heavier": pa.array(np.where(r["heavier"], "true", "false")), "fulfilled_on": _days(shown),
    })


# ================================================================================================
# Annual reports (年度报告) — domain.md §2
# ================================================================================================
def _annual_rows(ctx: _Ctx, e: _Rows) -> _Rows | None:
    """Reports of the last three years with their filing day ("day"), known or not yet filed.

    1 Jan - 30 Jun of the next year is the window (企业信息公示暂行条例 art. 8; 个体工商户 and
    co-ops alike, domain.md §2); filings crowd towards the deadline; some are late; an entity
    files first for its year of establishment, and not after it closed.
    """
    idx, kind = e["idx"], e["kind"]
    est_year = _year_of(e["est"])
    closed = e["status"] > 0
    parts = []
    for j, y in enumerate(ctx.report_years):
        last = j == len(ctx.report_years) - 1
        jan1, jun30 = _day(y + 1, 1, 1), _day(y + 1, 6, 30)
        elig = (est_year <= y) & (~closed | (e["status_on"] >= jan1))
        if not elig.any():
            continue
        sel = np.flatnonzero(elig)
        d = ctx.hd(idx[sel], _Slot.AR + j)
        k = kind[sel]
        p_on = (np.array([0.85, 0.78, 0.80]) if last else np.array([0.90, 0.85, 0.86]))[k]
        u, v = d.u(_S.AR_FILE), d.u(_S.AR_DAY)
        on, late = u < p_on, (u >= p_on) & (u < p_on + 0.05)
        window = jun30 - jan1 + 1
        late_day = np.where(last, jun30 + 1 + (62 * v * v).astype(np.int64), jun30 + 1 + (184 * v).astype(np.int64))
        filed = np.where(on, jan1 + (window * np.sqrt(v)).astype(np.int64), late_day)
        st_on = e["status_on"][sel]
        keep = (on | late) & (~closed[sel] | (filed <= st_on))
        z1, z2 = d.normal(_S.AR_Z1, _S.AR_Z2), d.normal(_S.AR_Z3, _S.AR_Z4)
        emp = np.where(k == 0, np.floor(np.exp(1.8 + 1.1 * z1)),
                       np.where(k == 1, 1 + d.below(_S.AR_IND, 4), 3 + np.floor(np.exp(1.5 + 0.8 * z1))))
        emp = np.clip(emp, 0, 20_000).astype(np.int64)
        per_head = np.exp(np.log(250_000) + 0.9 * z2)
        rev = np.where(k == 1, np.exp(np.log(200_000) + 0.8 * z2), (emp + 1) * per_head)
        # About 6 % of enterprises publish all-zero financials (a known sampling signal, §7).
        zero = (k == 0) & (d.u(_S.AR_ZERO) < 0.06)
        rev_c = np.where(zero, 0, np.round(rev * 100)).astype(np.int64)
        tax_c = np.round(rev_c * (0.002 + 0.058 * d.u(_S.AR_TAX))).astype(np.int64)
        emp = np.where(zero, 0, emp)
        parts.append({"pos": sel[keep], "uscc": e["uscc"][sel][keep], "year": np.full(keep.sum(), y),
                      "day": filed[keep], "emp": emp[keep], "rev": rev_c[keep], "tax": tax_c[keep]})
    rows = _concat(parts)
    if rows is None:
        return None
    return _take(rows, np.argsort(rows["pos"], kind="stable"))


def _annual_table(ctx: _Ctx, r: _Rows) -> pa.Table:
    return pa.table({
        "uscc": pa.array(r["uscc"]).cast(pa.string()), "report_year": _str(r["year"]),
        "filed_on": _days(r["day"]), "employees": _str(r["emp"]), "revenue": _money(r["rev"]),
        "total_tax": _money(r["tax"]),
    })


# ================================================================================================
# Tax credit (纳税缴费信用) and social security (社保) — domain.md §11
# ================================================================================================
_GRADE_WEIGHTS: Final = (0.31, 0.47, 0.10, 0.10, 0.02)


def _tax_rows(ctx: _Ctx, e: _Rows) -> _Rows | None:
    """Assessment of the last year: A/B/M/C/D about 30/45/10/10/5 %, 非正常户 for ~3 % (then D)."""
    y = ctx.assessed_year
    jan1 = _day(y)
    d = ctx.hd(e["idx"], _Slot.TAX)
    cover = np.where(e["kind"] == 1, 0.90, 0.99)
    elig = (_year_of(e["est"]) <= y) & ((e["status"] == 0) | (e["status_on"] >= jan1)) \
        & (d.u(_S.TAX_HAS) < cover)
    if not elig.any():
        return None
    sel = np.flatnonzero(elig)
    d = ctx.hd(e["idx"][sel], _Slot.TAX)
    est = e["est"][sel]
    grade = _pick(d.u(_S.TAX_GRADE), _GRADE_WEIGHTS)
    grade = np.where((est >= jan1) & (d.u(_S.TAX_NEW) < 0.8), 2, grade)  # M: new entity
    abn_from = np.maximum(_day(y - 2), est + 90)
    abn_day = abn_from + (d.u(_S.TAX_ABN_DAY) * np.maximum(ctx.cut1 - abn_from + 1, 1)).astype(np.int64)
    abnormal = (d.u(_S.TAX_ABN) < 0.03) & (abn_day <= ctx.cut1)
    grade = np.where(abnormal, 4, grade)
    p_arr = np.where(grade == 4, 0.6, np.where(grade == 3, 0.2, 0.02))
    amount = np.round(np.exp(np.log(20_000) + 1.2 * d.normal(_S.TAX_ARR1, _S.TAX_ARR2)) * 100)
    arrears = np.where(d.u(_S.TAX_ARR) < p_arr, amount, 0).astype(np.int64)
    upd = _day(y + 1, 4, 1) + d.below(_S.TAX_UPD, 30)  # grades are published in April
    upd = np.minimum(np.where(abnormal, np.maximum(upd, abn_day), upd), ctx.cut1)
    return {"pos": sel, "uscc": e["uscc"][sel], "grade": grade,
            "abn": np.where(abnormal, abn_day, -1), "arrears": arrears, "upd": upd}


def _tax_table(ctx: _Ctx, r: _Rows) -> pa.Table:
    n = _nrows(r)
    return pa.table({
        "uscc": pa.array(r["uscc"]).cast(pa.string()),
        "assessed_year": pa.array([str(ctx.assessed_year)] * n, pa.string()),
        "tax_credit_grade": pa.array(TAX_GRADES).take(pa.array(r["grade"])),
        "abnormal_taxpayer_since": _days(r["abn"]), "arrears": _money(r["arrears"]),
        "updated_on": _days(r["upd"]),
    })


def _social_rows(ctx: _Ctx, e: _Rows) -> _Rows | None:
    """Three monthly periods per enterprise or co-op registered with social insurance."""
    idx = e["idx"]
    d = ctx.hd(idx, _Slot.SOC)
    base = (e["kind"] != 1) & (d.u(_S.SOC_HAS) < 0.88)
    if not base.any():
        return None
    sel = np.flatnonzero(base)
    d = ctx.hd(idx[sel], _Slot.SOC)
    insured = np.where(d.u(_S.SOC_ZERO) < 0.15, 0,
                       1 + np.floor(np.exp(np.log(5) + 1.0 * d.normal(_S.SOC_Z1, _S.SOC_Z2))))
    insured = np.minimum(insured, 5000).astype(np.int64)
    owing = (insured > 0) & (d.u(_S.SOC_ARR) < 0.04)
    months_last = np.where(owing, 1 + d.below(_S.SOC_ARR_M, 6), 0)
    rate = 900 + d.below(_S.SOC_RATE, 600)  # employer contribution per head and month, yuan
    est, st, st_on = e["est"][sel], e["status"][sel], e["status_on"][sel]
    parts = []
    for j in range(3):
        alive = (est <= ctx.period_start[j]) & ((st == 0) | (st_on > ctx.period_end[j]))
        jd = ctx.hd(idx[sel], _Slot.SOC_P + j)
        ins = np.maximum(0, insured + np.where(insured > 0, jd.below(_S.SOC_JIT, 3) - 1, 0))
        months = np.maximum(0, months_last - (2 - j))
        months = np.where(ins > 0, months, 0)
        parts.append({"pos": sel[alive], "uscc": e["uscc"][sel][alive],
                      "period": np.full(alive.sum(), j), "insured": ins[alive],
                      "arrears": (months * ins * rate * 100)[alive], "months": months[alive]})
    rows = _concat(parts)
    if rows is None:
        return None
    return _take(rows, np.lexsort((rows["period"], rows["pos"])))


def _social_table(ctx: _Ctx, r: _Rows) -> pa.Table:
    return pa.table({
        "uscc": pa.array(r["uscc"]).cast(pa.string()), "period": ctx.period_labels.take(pa.array(r["period"])),
        "insured_count": _str(r["insured"]), "arrears": _money(r["arrears"]),
        "arrears_months": _str(r["months"]),
    })


# ================================================================================================
# Findings (核查结果) — domain.md §3.1 causes 2-4 and their cures (§3.3)
# ================================================================================================
_FINDING_P: Final = (0.015, 0.0015, 0.003)  # unreachable, false disclosure, ordered disclosure overdue
_CURE_P: Final = np.array([0.30, 0.40, 0.50])


def _finding_rows(ctx: _Ctx, e: _Rows) -> _Rows | None:
    """Findings of the last ~2.5 years and their cures; "day" is the finding's date."""
    idx = e["idx"]
    d = ctx.hd(idx, _Slot.FIND)
    u = d.u(_S.FIND_HAS)
    cum = np.cumsum(_FINDING_P)
    kind = np.where(u < cum[0], 0, np.where(u < cum[1], 1, np.where(u < cum[2], 2, -1)))
    lo = np.maximum(e["est"] + 180, ctx.cut1 - 900)
    hi = np.where(e["status"] > 0, np.minimum(e["status_on"] - 1, ctx.cut1), ctx.cut1)
    ok = (kind >= 0) & (hi >= lo)
    if not ok.any():
        return None
    sel = np.flatnonzero(ok)
    d = ctx.hd(idx[sel], _Slot.FIND)
    k = kind[sel]
    found = lo[sel] + (d.u(_S.FIND_DAY) * (hi[sel] - lo[sel] + 1)).astype(np.int64)
    cure_day = found + 20 + d.below(_S.FIND_CURE_DAY, 180)
    cured = (d.u(_S.FIND_CURE) < _CURE_P[k]) & ((e["status"][sel] == 0) | (cure_day < e["status_on"][sel]))
    county, uscc = e["county"][sel], e["uscc"][sel]
    doc = 1 + d.below(_S.FIND_DOC, 900)
    first = {"pos": sel, "uscc": uscc, "county": county, "kind": k, "day": found,
             "serial": idx[sel] * 2, "doc_n": doc}
    cure = {"pos": sel[cured], "uscc": uscc[cured], "county": county[cured], "kind": k[cured] + 3,
            "day": cure_day[cured], "serial": idx[sel][cured] * 2 + 1, "doc_n": doc[cured] + 1}
    rows = _concat([first, cure])
    assert rows is not None
    return _take(rows, np.argsort(rows["pos"], kind="stable"))


def _finding_table(ctx: _Ctx, r: _Rows) -> pa.Table:
    year = _str(_year_of(r["day"]))
    return pa.table({
        "finding_id": _join("F", _padded(ctx.perm_id(r["serial"]), 10)),
        "uscc": pa.array(r["uscc"]).cast(pa.string()),
        "kind": pa.array(FINDING_KINDS).take(pa.array(r["kind"])), "found_on": _days(r["day"]),
        "doc_no": _join(_w(_CNTY_DOC[r["county"]]), "市监核〔", year, "〕", _str(r["doc_n"]), "号"),
        "department": _w(_CNTY_BUREAU[r["county"]]),
    })


# ================================================================================================
# Inspectors (执法检查人员名录库) and spot-check results (抽查检查结果) — domain.md §8
# ================================================================================================
@dataclass
class _Inspectors:
    ids: list[str]
    names: list[str]
    county: np.ndarray
    fields: list[str]
    active: np.ndarray
    conflicts: list[str]
    seq: dict[int, int] = field(default_factory=dict)

    def table(self, sel: np.ndarray) -> pa.Table:
        s = sel.tolist()
        return pa.table({
            "inspector_id": pa.array([self.ids[i] for i in s], pa.string()),
            "name": pa.array([self.names[i] for i in s], pa.string()),
            "department": _w(_CNTY_BUREAU[self.county[sel]]),
            "region_code": _w(_CNTY_CODE_STR[self.county[sel]]),
            "fields": pa.array([self.fields[i] for i in s], pa.string()),
            "active": pa.array(np.where(self.active[sel], "true", "false")),
            "conflicts": pa.array([self.conflicts[i] or None for i in s], pa.string()),
        })

    def add(self, rng: np.random.Generator, county: int) -> int:
        """A new inspector of a county bureau; returns its position."""
        self.seq[county] = self.seq.get(county, 0) + 1
        self.ids.append(f"ZF{COUNTIES[county].code}{self.seq[county]:03d}")
        self.names.append(_person_name(rng))
        self.county = np.append(self.county, county)
        self.fields.append(_fields(rng))
        self.active = np.append(self.active, True)
        self.conflicts.append("")
        return len(self.ids) - 1


def _person_name(rng: np.random.Generator) -> str:
    given = "".join(_GIVEN_CHARS[i] for i in rng.integers(0, len(_GIVEN_CHARS), 1 + int(rng.random() < 0.7)))
    return _SURNAMES[int(rng.integers(0, len(_SURNAMES)))] + given


def _fields(rng: np.random.Generator) -> str:
    letters = [s for s, _ in _SECTIONS]
    w = np.array([x for _, x in _SECTIONS])
    k = 1 + int(rng.integers(0, 3))
    chosen = rng.choice(len(letters), size=k, replace=False, p=w / w.sum())
    return ";".join(sorted(letters[i] for i in chosen))


def _make_inspectors(ctx: _Ctx) -> _Inspectors:
    """About one inspector per 1,000 entities (at least 20), by county, ids like ZF330106001."""
    rng = _rng(ctx.seed, 1, _SOURCE_NO["inspectors"], 0x1A5)
    m = max(20, ctx.n_base // 1000)
    county = np.sort(_pick(rng.random(m), ctx.county_weights))
    insp = _Inspectors([], [], np.zeros(0, dtype=np.int64), [], np.zeros(0, dtype=bool), [])
    for c in county.tolist():
        insp.add(rng, c)
    insp.active = rng.random(m) < 0.94
    # Recusal data (回避): a few inspectors are related to one or two entities.
    has = np.flatnonzero(rng.random(m) < 0.05)
    if has.size:
        count = 1 + (rng.random(has.size) < 0.3)
        targets = rng.integers(0, ctx.n_base, int(count.sum()))
        codes = _entities(ctx, targets)[0]["uscc"].astype(str).tolist()
        at = 0
        for i, c in zip(has.tolist(), count.tolist(), strict=True):
            insp.conflicts[i] = ";".join(codes[at:at + c])
            at += c
    return insp


def _assign_inspectors(insp: _Inspectors, county: np.ndarray, ua: np.ndarray, ub: np.ndarray,
                       uscc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two distinct active inspectors per inspection (行政处罚法 art. 42): from the entity's county
    bureau when it has two, else from its city, else from the province; never one with a
    declared conflict (回避, art. 43)."""
    act = np.flatnonzero(insp.active)
    if act.size < 2:  # a roster with fewer than two active inspectors: fall back to all of them
        act = np.arange(len(insp.ids))
    # COUNTIES is ordered by city, so sorting by county index makes each city one block too.
    act = act[np.argsort(insp.county[act], kind="stable")]
    c_of = insp.county[act]
    first = np.searchsorted(c_of, county, "left")
    cnt = np.searchsorted(c_of, county, "right") - first
    city_first = np.searchsorted(c_of, _CITY_FIRST_COUNTY[county], "left")
    city_cnt = np.searchsorted(c_of, _CITY_LAST_COUNTY[county], "right") - city_first
    p0 = np.where(cnt >= 2, first, np.where(city_cnt >= 2, city_first, 0))
    pn = np.where(cnt >= 2, cnt, np.where(city_cnt >= 2, city_cnt, act.size))
    oa = np.minimum((ua * pn).astype(np.int64), pn - 1)
    ob = (oa + 1 + np.minimum((ub * (pn - 1)).astype(np.int64), pn - 2)) % pn
    ia, ib = act[p0 + oa], act[p0 + ob]
    pairs = {(i, code) for i, cs in enumerate(insp.conflicts) if cs for code in cs.split(";")}
    if pairs:
        listed = np.array(sorted({c for _, c in pairs}), dtype="S18")
        for r in np.flatnonzero(np.isin(uscc, listed)).tolist():
            code = uscc[r].decode()
            pool = act[p0[r]:p0[r] + pn[r]].tolist()
            ok = [i for i in pool if (i, code) not in pairs]
            if len(ok) >= 2:  # recusal: redraw inside the same pool
                if (int(ia[r]), code) in pairs or ia[r] == ib[r]:
                    ia[r] = next(i for i in ok if i != ib[r])
                if (int(ib[r]), code) in pairs or ia[r] == ib[r]:
                    ib[r] = next(i for i in ok if i != ia[r])
    return ia, ib


_RESULT_WEIGHTS: Final = (0.74, 0.05, 0.01, 0.06, 0.08, 0.005, 0.04, 0.015)


def _inspection_rows(ctx: _Ctx, e: _Rows, insp: _Inspectors) -> _Rows | None:
    """Results of this year's spot-check tasks; "day" is the day a result is published."""
    idx = e["idx"]
    parts = []
    for t in range(5):
        d = ctx.hd(idx, _Slot.INSP + t)
        ws = int(ctx.task_start[t])
        length = 25 if t < 4 else 30
        alive = (e["status"] == 0) | (e["status_on"] > ws + length)
        sampled = (d.u(_S.INSP_HAS) < ctx.task_ratio[t]) & (e["est"] < ws) & alive
        if not sampled.any():
            continue
        sel = np.flatnonzero(sampled)
        d = ctx.hd(idx[sel], _Slot.INSP + t)
        inspected = ws + d.below(_S.INSP_DAY, length)
        ia, ib = _assign_inspectors(insp, e["county"][sel], d.u(_S.INSP_A), d.u(_S.INSP_B), e["uscc"][sel])
        parts.append({"pos": sel, "uscc": e["uscc"][sel], "county": e["county"][sel],
                      "task": np.full(sel.size, t), "inspected": inspected,
                      "code": _pick(d.u(_S.INSP_CODE), _RESULT_WEIGHTS),
                      "day": inspected + 2 + d.below(_S.INSP_PUB, 12), "ia": ia, "ib": ib})
    return _concat(parts)


def _inspection_table(ctx: _Ctx, r: _Rows, insp: _Inspectors) -> pa.Table:
    ids = pa.array(insp.ids, pa.string())
    codes = pa.array(RESULT_CODES).take(pa.array(r["code"]))
    return pa.table({
        "task_id": ctx.task_ids.take(pa.array(r["task"])), "uscc": pa.array(r["uscc"]).cast(pa.string()),
        "inspected_on": _days(r["inspected"]), "result_code": codes,
        "result": pa.array([RESULT_TEXT[c] for c in RESULT_CODES]).take(pa.array(r["code"])),
        "inspector_ids": _join(ids.take(pa.array(r["ia"])), ";", ids.take(pa.array(r["ib"]))),
        "doc_no": _join(_w(_CNTY_DOC[r["county"]]), f"市监抽查〔{ctx.task_year}〕", _str(r["task"] + 1), "号"),
    })


# ================================================================================================
# Defect injection — every defect is recorded in the night's _defects.json
# ================================================================================================
@dataclass(frozen=True)
class _DefectSpec:
    """Which columns of a source can carry which defect."""

    uscc: tuple[str, ...] = ("uscc",)
    dates: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    enums: tuple[tuple[str, str], ...] = ()  # (column, a value outside the contract's set)
    text: tuple[str, ...] = ()
    conflict: str = ""

    def columns(self, kind: str) -> tuple[str, ...]:
        return {
            "bad_check_digit": self.uscc, "lowercase_uscc": self.uscc,
            "fullwidth_digits": self.numbers + self.dates + self.uscc,
            "stray_spaces": self.uscc + self.text + self.numbers,
            "slash_date": self.dates, "future_date": self.dates,
            "unparsable_value": self.numbers + self.dates,
            "unknown_enum": tuple(c for c, _ in self.enums),
            "duplicate_key_conflict": (self.conflict,) if self.conflict else (),
            "exact_duplicate": ("",),
        }[kind]

    def kinds(self) -> tuple[str, ...]:
        return tuple(k for k in DEFECT_KINDS if self.columns(k))


_SPECS: Final[dict[str, _DefectSpec]] = {
    "registration": _DefectSpec(dates=("established_on", "status_on"), numbers=("registered_capital",),
                                enums=(("status", "suspended"), ("entity_kind", "company")),
                                text=("name", "address"), conflict="registered_capital"),
    "annual_reports": _DefectSpec(dates=("filed_on",), numbers=("employees", "revenue", "total_tax"),
                                  conflict="employees"),
    "tax": _DefectSpec(dates=("abnormal_taxpayer_since", "updated_on"), numbers=("arrears",),
                       enums=(("tax_credit_grade", "E"),), conflict="tax_credit_grade"),
    "social_security": _DefectSpec(numbers=("insured_count", "arrears", "arrears_months"),
                                   conflict="insured_count"),
    "penalties": _DefectSpec(dates=("decided_on", "fulfilled_on"), numbers=("fine_amount",),
                             enums=(("category", "tax_evasion"), ("heavier", "待定")), text=("doc_no",),
                             conflict="fine_amount"),
    "findings": _DefectSpec(dates=("found_on",), enums=(("kind", "address_changed"),),
                            text=("department", "doc_no"), conflict="found_on"),
    "inspection_results": _DefectSpec(dates=("inspected_on",), enums=(("result_code", "closed"),),
                                      text=("result", "doc_no"), conflict="result_code"),
    "inspectors": _DefectSpec(uscc=(), enums=(("active", "unknown"),), text=("name", "department"),
                              conflict="active"),
}
_FULLWIDTH: Final = str.maketrans("0123456789", "０１２３４５６７８９")
_GARBAGE_NUMBER: Final = ("abc", "十万", "#N/A")
_GARBAGE_DATE: Final = ("abc", "2026-02-30", "0000-00-00")


def _conflicting(column: str, values: list[str | None], rng: np.random.Generator) -> list[str]:
    """A different, well-formed value for the same key (the two rows cannot both be true)."""
    out = []
    for v in values:
        r = int(rng.integers(1, 30))
        if column in ("registered_capital", "fine_amount"):
            out.append("100000.00" if not v else f"{float(v) * 2 + 100:.2f}")
        elif column in ("employees", "insured_count"):
            out.append(str(int(v or 0) + r))
        elif column == "tax_credit_grade":
            out.append(TAX_GRADES[(TAX_GRADES.index(v or "B") + 1) % len(TAX_GRADES)])
        elif column == "found_on":
            out.append((date.fromisoformat(v or "2026-01-01") - timedelta(days=r)).isoformat())
        elif column == "result_code":
            out.append(RESULT_CODES[(RESULT_CODES.index(v or "normal") + r % 7 + 1) % len(RESULT_CODES)])
        elif column == "active":
            out.append("false" if v == "true" else "true")
        else:  # pragma: no cover - every spec's conflict column is handled above
            raise ValueError(column)
    return out


def _transform(kind: str, column: str, vals: pa.Array, rng: np.random.Generator, night: int) -> pa.Array:
    """The defective version of `vals` (all non-null) for one defect kind."""
    k = len(vals)
    if kind == "bad_check_digit":
        m = np.array(vals.to_pylist(), dtype="S18").view(np.uint8).reshape(k, 18).copy()
        m[:, 17] = _ALPHA[(_ALPHA_VAL[m[:, 17]] + 1 + rng.integers(0, 30, k)) % 31]
        return pa.array(m.view("S18").ravel()).cast(pa.string())
    if kind == "lowercase_uscc":
        return pc.utf8_lower(vals)
    if kind == "fullwidth_digits":
        return pa.array([v.translate(_FULLWIDTH) for v in vals.to_pylist()], pa.string())
    if kind == "stray_spaces":
        lead = pa.array(np.where(rng.random(k) < 0.5, " ", ""))
        return _join(lead, vals, pa.array(np.where(rng.random(k) < 0.7, " ", "  ")))
    if kind == "slash_date":
        return pc.replace_substring(vals, "-", "/")
    if kind == "future_date":
        return _days(night + 30 + rng.integers(0, 400, k))
    if kind == "unparsable_value":
        garbage = _GARBAGE_DATE if column in {"established_on", "status_on", "filed_on", "abnormal_taxpayer_since",
                                              "updated_on", "decided_on", "fulfilled_on", "found_on",
                                              "inspected_on"} else _GARBAGE_NUMBER
        return pa.array(garbage, pa.string()).take(pa.array(rng.integers(0, len(garbage), k)))
    raise ValueError(kind)


def _inject_defects(tbl: pa.Table, source: str, rng: np.random.Generator, rate: float, night: int,
                    first_line: int) -> tuple[pa.Table, list[dict[str, Any]]]:
    """Give about `rate` of the rows one defect each; duplicates are appended after the block.

    Returns the new table and ledger entries: ``line`` is the 1-based physical line of the row
    in the file (header = line 1; for Parquet the same numbering, i.e. ``row + 2``), ``row`` the
    0-based data row, ``kind``, ``column`` (None for an exact duplicate), ``normalisable`` and,
    for duplicates, ``duplicate_of`` (the line of the original row).
    """
    n = tbl.num_rows
    if rate <= 0 or n == 0:
        return tbl, []
    k = int(rng.binomial(n, min(rate, 1.0)))
    if k == 0:
        return tbl, []
    spec = _SPECS[source]
    kinds_avail = spec.kinds()
    rows = np.sort(rng.choice(n, size=k, replace=False))
    kinds = rng.integers(0, len(kinds_avail), size=k)
    col_u = rng.random(k)
    first_row = first_line - 2
    entries: list[dict[str, Any]] = []
    dup_src: list[np.ndarray] = []
    dup_kind: list[str] = []
    edits: dict[str, list[tuple[np.ndarray, pa.Array]]] = {}  # column -> (rows, new values)
    for ki, kind in enumerate(kinds_avail):
        sel, u = rows[kinds == ki], col_u[kinds == ki]
        if not sel.size:
            continue
        if kind in ("duplicate_key_conflict", "exact_duplicate"):
            dup_src.append(sel)
            dup_kind.extend([kind] * sel.size)
            continue
        candidates = spec.columns(kind)
        pick = np.minimum((u * len(candidates)).astype(np.int64), len(candidates) - 1)
        for ci, col in enumerate(candidates):
            r = sel[pick == ci]
            if not r.size:
                continue
            vals = tbl.column(col).take(pa.array(r)).combine_chunks()
            present = np.asarray(vals.is_valid())
            r, vals = r[present], vals.filter(pa.array(present))
            if not r.size:
                continue
            if kind == "unknown_enum":
                new = pa.array([dict(spec.enums)[col]] * r.size, pa.string())
            else:
                new = _transform(kind, col, vals, rng, night)
            changed = np.asarray(pc.not_equal(new, vals))  # e.g. lower case of an all-digit code
            r, new = r[changed], new.filter(pa.array(changed))
            if not r.size:
                continue
            edits.setdefault(col, []).append((r, new))
            entries.extend({"line": first_line + int(i), "row": first_row + int(i), "kind": kind, "column": col,
                            "normalisable": kind in NORMALISABLE_DEFECTS} for i in r.tolist())
    out = tbl
    for col, parts in edits.items():  # one pass over each touched column, whatever the kinds
        r = np.concatenate([x for x, _ in parts])
        order = np.argsort(r)
        new = pa.concat_arrays([v for _, v in parts]).take(pa.array(order))
        mask = np.zeros(n, dtype=bool)
        mask[r] = True
        at = out.schema.get_field_index(col)
        out = out.set_column(at, col, pc.replace_with_mask(out.column(col).combine_chunks(), pa.array(mask), new))
    if dup_src:
        src = np.concatenate(dup_src)
        order = np.argsort(src, kind="stable")
        src, dkinds = src[order], [dup_kind[i] for i in order.tolist()]
        dups = {name: out.column(name).take(pa.array(src)).combine_chunks() for name in out.column_names}
        conflict = np.array([kd == "duplicate_key_conflict" for kd in dkinds])
        if conflict.any():
            col = spec.conflict
            changed = _conflicting(col, dups[col].filter(pa.array(conflict)).to_pylist(), rng)
            dups[col] = pc.replace_with_mask(dups[col], pa.array(conflict), pa.array(changed, pa.string()))
            if col == "result_code":  # keep the wording consistent with the new code
                text = pa.array([RESULT_TEXT[c] for c in dups[col].to_pylist()], pa.string())
                dups["result"] = text
        out = pa.concat_tables([out, pa.table(dups)])
        for j, (s, kd) in enumerate(zip(src.tolist(), dkinds, strict=True)):
            entries.append({"line": first_line + n + j, "row": first_row + n + j, "kind": kd,
                            "column": spec.conflict if kd == "duplicate_key_conflict" else None,
                            "normalisable": kd in NORMALISABLE_DEFECTS, "duplicate_of": first_line + s})
    entries.sort(key=lambda x: x["line"])
    return out, entries


# ================================================================================================
# Writing files: formats, streaming checksums, manifests
# ================================================================================================
@dataclass(frozen=True)
class _Format:
    kind: Literal["csv", "parquet"]
    encoding: Literal["utf-8", "gb18030"] | None = "utf-8"
    bom: bool = False
    eol: str = "\n"

    @property
    def suffix(self) -> str:
        return ".csv" if self.kind == "csv" else ".parquet"


_UTF8 = _Format("csv")
_UTF8_BOM = _Format("csv", bom=True)
_GB18030 = _Format("csv", "gb18030", eol="\r\n")  # exported from Windows desktops: CRLF
_PARQUET = _Format("parquet", None)


def _format_for(source: str, night_no: int, fmt_mix: bool) -> _Format:
    """The format each department uses; registration switches from a GB18030 export to UTF-8."""
    if not fmt_mix:
        return _UTF8
    table = {
        "registration": _GB18030 if night_no == 1 else _UTF8,
        "annual_reports": _UTF8_BOM,
        "tax": _PARQUET,
        "social_security": _UTF8,
        "penalties": _GB18030,
        "findings": _UTF8_BOM,
        "inspection_results": _UTF8,
        "inspectors": _GB18030 if night_no == 1 else _UTF8_BOM,
    }
    return table[source]


class _FileWriter:
    """One source file: buffers blocks, injects defects, streams bytes, SHA-256 and row count."""

    def __init__(self, ctx: _Ctx, folder: Path, source: str, fmt: _Format, night_no: int,
                 night_day: int) -> None:
        self.ctx, self.source, self.fmt = ctx, source, fmt
        self.night_no, self.night_day = night_no, night_day
        self.name = source + fmt.suffix
        self.path = folder / self.name
        self.columns = COLUMNS[source]
        self.rows = 0
        self.ledger: list[dict[str, Any]] = []
        self._buf: list[pa.Table] = []
        self._buffered = 0
        self._block = 0
        self._sha = hashlib.sha256()
        self._schema = pa.schema([(c, pa.string()) for c in self.columns])
        if fmt.kind == "csv":
            self._fh = open(self.path, "wb")  # noqa: SIM115 - closed in close()
            self._emit((("\ufeff" if fmt.bom else "") + ",".join(self.columns) + fmt.eol).encode(fmt.encoding or ""))
        else:
            self._pq = pq.ParquetWriter(self.path, self._schema, compression="snappy")

    def _emit(self, data: bytes) -> None:
        self._sha.update(data)
        self._fh.write(data)

    def add(self, tbl: pa.Table) -> None:
        if tbl.num_rows == 0:
            return
        self._buf.append(tbl.select(list(self.columns)))
        self._buffered += tbl.num_rows
        if self._buffered >= CHUNK:
            self._flush()

    def _flush(self) -> None:
        if not self._buf:
            return
        tbl = pa.concat_tables(self._buf).cast(self._schema)
        self._buf, self._buffered = [], 0
        rng = _rng(self.ctx.seed, self.night_no, _SOURCE_NO[self.source], self._block, 0xDEF)
        tbl, entries = _inject_defects(tbl, self.source, rng, self.ctx.defect_rate, self.night_day,
                                       first_line=self.rows + 2)
        self.ledger.extend(entries)
        self._block += 1
        self.rows += tbl.num_rows
        if self.fmt.kind == "parquet":
            self._pq.write_table(tbl, row_group_size=CHUNK)
            return
        sink = pa.BufferOutputStream()
        pacsv.write_csv(tbl, sink, pacsv.WriteOptions(include_header=False, quoting_style="none",
                                                      eol=self.fmt.eol))
        data = sink.getvalue().to_pybytes()
        if self.fmt.encoding == "gb18030":
            data = data.decode("utf-8").encode("gb18030")
        self._emit(data)

    def close(self, mode: Literal["full", "delta"]) -> dict[str, Any]:
        """Finish the file; the manifest entry (contracts.md §1)."""
        self._flush()
        if self.fmt.kind == "csv":
            self._fh.close()
            digest = self._sha.hexdigest()
        else:
            self._pq.close()
            digest = file_sha256(self.path)
        entry: dict[str, Any] = {"source": self.source, "mode": mode, "rows": self.rows, "sha256": digest}
        if self.fmt.encoding:
            entry["encoding"] = self.fmt.encoding
        return entry


def _write_json(path: Path, obj: Any, indent: int | None = 1) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=indent) + "\n", encoding="utf-8")


def _prepare_folder(folder: Path) -> None:
    """Create the night folder and remove files an earlier run may have left there."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in SOURCES:
        for suffix in (".csv", ".parquet"):
            (folder / (source + suffix)).unlink(missing_ok=True)
    for name in ("manifest.json", "_defects.json"):
        (folder / name).unlink(missing_ok=True)


# ================================================================================================
# The world across nights: what changed, what is still to be released
# ================================================================================================
@dataclass
class _World:
    inspectors: _Inspectors
    next_idx: int
    pending: dict[str, list[_Rows]] = field(default_factory=dict)
    reg_over: dict[int, dict[str, int]] = field(default_factory=dict)
    closed: set[int] = field(default_factory=set)
    pen_serial: int = 0
    find_serial: int = 0
    last_cut: int = 0

    def defer(self, source: str, rows: _Rows | None) -> None:
        """Keep rows dated after the current night ("day") for the night that will carry them."""
        if rows is not None and _nrows(rows):
            keep = _PENDING_KEYS[source]
            self.pending.setdefault(source, []).append({k: v for k, v in rows.items() if k in keep})

    def release(self, source: str, cut: int) -> _Rows | None:
        """Pending rows whose day has come (day <= cut); the rest stay pending."""
        rows = _concat(self.pending.get(source, []))
        if rows is None:
            return None
        due = rows["day"] <= cut
        rest = _take(rows, ~due)
        self.pending[source] = [rest] if _nrows(rest) else []
        out = _take(rows, due)
        return out if _nrows(out) else None


_PEN_KEYS: Final = frozenset({"uscc", "county", "serial", "decided", "category", "measures", "fine",
                              "heavier", "fulfilled", "doc_n"})
_FIND_KEYS: Final = frozenset({"uscc", "county", "kind", "day", "serial", "doc_n"})
_PENDING_KEYS: Final = {
    "annual_reports": frozenset({"uscc", "year", "day", "emp", "rev", "tax"}),
    "penalties": _PEN_KEYS | {"day"},
    "findings": _FIND_KEYS,
    "inspection_results": frozenset({"uscc", "county", "task", "inspected", "code", "day", "ia", "ib"}),
}
_DELTA_SERIAL: Final = 4_000_000_000  # serials of rows born on delta nights (night 1 uses idx·2+k)


def _apply_overrides(world: _World, e: _Rows) -> _Rows:
    """Registration changes made on earlier delta nights (few rows: a plain loop is fine)."""
    for i, x in enumerate(e["idx"].tolist()):
        for k, v in world.reg_over.get(x, {}).items():
            e[k][i] = v
    return e


def _write_full_night(ctx: _Ctx, world: _World, folder: Path, night: date,
                      fmt_mix: bool, progress: Callable[[str, int, int], None] | None
                      ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Night 1: a complete snapshot of every source, generated CHUNK entities at a time."""
    day = _to_day(night)
    writers = {s: _FileWriter(ctx, folder, s, _format_for(s, 1, fmt_mix), 1, day) for s in SOURCES}
    n = ctx.n_base
    label = f"{night.isoformat()} full"
    insp = world.inspectors
    writers["inspectors"].add(insp.table(np.arange(len(insp.ids))))
    for c0 in range(0, n, CHUNK):
        idx = np.arange(c0, min(n, c0 + CHUNK), dtype=np.int64)
        e, pen = _entities(ctx, idx)
        writers["registration"].add(_registration_table(ctx, e))
        ar = _annual_rows(ctx, e)
        if ar is not None:
            writers["annual_reports"].add(_annual_table(ctx, _take(ar, ar["day"] <= ctx.cut1)))
            world.defer("annual_reports", _take(ar, ar["day"] > ctx.cut1))
        tax = _tax_rows(ctx, e)
        if tax is not None:
            writers["tax"].add(_tax_table(ctx, tax))
        soc = _social_rows(ctx, e)
        if soc is not None:
            writers["social_security"].add(_social_table(ctx, soc))
        if pen is not None:
            pen["uscc"] = e["uscc"][pen["pos"]]
            writers["penalties"].add(_penalty_table(ctx, pen, ctx.cut1))
            later = pen["fulfilled"] > ctx.cut1
            world.defer("penalties", {**_take(pen, later), "day": pen["fulfilled"][later]})
        fnd = _finding_rows(ctx, e)
        if fnd is not None:
            writers["findings"].add(_finding_table(ctx, _take(fnd, fnd["day"] <= ctx.cut1)))
            world.defer("findings", _take(fnd, fnd["day"] > ctx.cut1))
        ins = _inspection_rows(ctx, e, insp)
        if ins is not None:
            writers["inspection_results"].add(_inspection_table(ctx, _take(ins, ins["day"] <= ctx.cut1), insp))
            world.defer("inspection_results", _take(ins, ins["day"] > ctx.cut1))
        if progress is not None:
            progress(label, int(idx[-1]) + 1, n)
    entries = {w.name: w.close("full") for w in writers.values()}
    ledger = {w.name: w.ledger for w in writers.values()}
    return entries, ledger


def _poisson(rng: np.random.Generator, rate: float, n: int) -> int:
    return int(rng.poisson(rate * n))


def _operating(ctx: _Ctx, world: _World, cand: np.ndarray) -> tuple[_Rows, _Rows | None]:
    """Candidates as entities with their current registration, keeping the operating ones."""
    cand = np.unique(cand)
    cand = cand[~np.isin(cand, np.fromiter(world.closed, dtype=np.int64, count=len(world.closed)))]
    e, pen = _entities(ctx, cand)
    e = _apply_overrides(world, e)
    return _take(e, e["status"] == 0), pen


def _delta_tables(ctx: _Ctx, world: _World, night_no: int, night: date) -> dict[str, pa.Table]:
    """Changed and new rows of one later night, per source (a source with none is left out)."""
    seed, n = ctx.seed, ctx.n_base
    cut = _to_day(night) - 1
    tables: dict[str, pa.Table] = {}

    def rng(source: str) -> np.random.Generator:
        return _rng(seed, night_no, _SOURCE_NO[source], 0xD)

    # -- penalties first: a revoked business licence also changes the registration -----------
    r = rng("penalties")
    revoked: dict[int, int] = {}
    parts: list[_Rows] = []
    k = _poisson(r, 0.00004, n)
    if k:
        e, _ = _operating(ctx, world, r.integers(0, world.next_idx, k))
        if _nrows(e):
            m = _nrows(e)
            decided = np.maximum(cut - r.integers(0, 10, m), e["est"])
            rows = _penalty_attrs(_RngDraw(r, m), decided)
            serial = _DELTA_SERIAL + world.pen_serial + np.arange(m)
            world.pen_serial += m
            rows.update(uscc=e["uscc"], county=e["county"], serial=serial, idx=e["idx"])
            parts.append(rows)
            later = rows["fulfilled"] > cut
            world.defer("penalties", {**_take(rows, later), "day": rows["fulfilled"][later]})
            blr = (rows["measures"] & _BIT["business_licence_revoked"]) > 0
            revoked = dict(zip(e["idx"][blr].tolist(), decided[blr].tolist(), strict=True))
    paid = world.release("penalties", cut)
    if paid is not None:
        parts.append(paid)
    pen_rows = _concat([{k2: v for k2, v in p.items() if k2 in _PEN_KEYS} for p in parts])
    if pen_rows is not None:
        tables["penalties"] = _penalty_table(ctx, pen_rows, cut)

    # -- registration: births, closures, changes of domicile or capital -----------------------
    r = rng("registration")
    born = _poisson(r, 0.0005, n)
    changes: list[tuple[np.ndarray, str]] = []
    for what, rate in (("cancelled", 0.0003), ("revoked", 0.00005), ("moved_out", 0.00003),
                       ("address", 0.0002), ("capital", 0.0001)):
        kk = _poisson(r, rate, n)
        if kk:
            changes.append((r.integers(0, world.next_idx, kk), what))
    if revoked:
        changes.insert(0, (np.array(list(revoked), dtype=np.int64), "revoked_by_penalty"))
    reg_idx: list[int] = []
    seen: set[int] = set()
    for cand, what in changes:
        e, _ = _operating(ctx, world, cand)
        for x in e["idx"].tolist():
            if x in seen:
                continue
            seen.add(x)
            over = world.reg_over.setdefault(x, {})
            if what in ("cancelled", "revoked", "moved_out", "revoked_by_penalty"):
                status = "revoked" if what == "revoked_by_penalty" else what
                when = revoked[x] if what == "revoked_by_penalty" else cut
                over.update(status=STATUSES.index(status), status_on=when)
                world.closed.add(x)
            elif what == "address":
                over["addr_var"] = over.get("addr_var", 0) + 1
            else:
                cap = over.get("capital") or int(_entities(ctx, np.array([x]))[0]["capital"][0])
                over["capital"] = (max(cap, 10_000_000) * (2 + int(r.integers(0, 4)))) if cap > 0 else 5_000_000
            over["updated"] = cut
            reg_idx.append(x)
    if born:
        ctx.new_est = np.concatenate([ctx.new_est, np.full(born, cut, dtype=np.int64)])
        new = np.arange(world.next_idx, world.next_idx + born, dtype=np.int64)
        world.next_idx += born
        for x in new.tolist():
            world.reg_over[x] = {"updated": cut}
        reg_idx.extend(new.tolist())
    if reg_idx:
        e, _ = _entities(ctx, np.sort(np.array(reg_idx, dtype=np.int64)))
        tables["registration"] = _registration_table(ctx, _apply_overrides(world, e))

    # -- late annual reports filed yesterday -------------------------------------------------
    ar = world.release("annual_reports", cut)
    if ar is not None:
        tables["annual_reports"] = _annual_table(ctx, ar)

    # -- tax: newly flagged 非正常户, arrears paid or incurred -----------------------------------
    r = rng("tax")
    k = _poisson(r, 0.0001, n)
    if k:
        e, _ = _entities(ctx, np.unique(r.integers(0, ctx.n_base, k)))
        t = _tax_rows(ctx, e)
        if t is not None:
            m = _nrows(t)
            what = r.integers(0, 3, m)
            t["abn"] = np.where(what == 0, cut - r.integers(0, 3, m), t["abn"])
            t["grade"] = np.where(what == 0, 4, t["grade"])
            owed = np.round(np.exp(np.log(20_000) + 1.2 * r.standard_normal(m)) * 100).astype(np.int64)
            t["arrears"] = np.where(what == 1, 0, np.where(what == 2, t["arrears"] + owed, t["arrears"]))
            t["upd"] = np.full(m, cut)
            tables["tax"] = _tax_table(ctx, t)

    # -- social security: arrears of the latest period settled or newly owed ------------------
    r = rng("social_security")
    k = _poisson(r, 0.0002, n)
    if k:
        e, _ = _entities(ctx, np.unique(r.integers(0, ctx.n_base, k)))
        s = _social_rows(ctx, e)
        if s is not None:
            s = _take(s, s["period"] == 2)
            m = _nrows(s)
            if m:
                owe = (r.random(m) < 0.5) & (s["insured"] > 0)
                s["months"] = np.where(owe, s["months"] + 1, 0)
                s["arrears"] = s["months"] * s["insured"] * (900 + r.integers(0, 600, m)) * 100
                tables["social_security"] = _social_table(ctx, s)

    # -- findings: new ones (a fifth cured a few nights later) and cures due -----------------
    r = rng("findings")
    parts = []
    k = _poisson(r, 0.00005, n)
    if k:
        e, _ = _operating(ctx, world, r.integers(0, world.next_idx, k))
        m = _nrows(e)
        if m:
            kind = _pick(r.random(m), (0.7, 0.1, 0.2))
            serial = _DELTA_SERIAL + world.find_serial + 2 * np.arange(m)
            world.find_serial += 2 * m
            doc = 1 + r.integers(0, 900, m)
            rows = {"uscc": e["uscc"], "county": e["county"], "kind": kind, "day": np.full(m, cut),
                    "serial": serial, "doc_n": doc}
            parts.append(rows)
            cured = r.random(m) < 0.2
            world.defer("findings", {**_take(rows, cured), "kind": kind[cured] + 3,
                                     "day": cut + 2 + r.integers(0, 6, int(cured.sum())),
                                     "serial": serial[cured] + 1, "doc_n": doc[cured] + 1})
    due = world.release("findings", cut)
    if due is not None:
        parts.append(due)
    fnd = _concat([{k2: v for k2, v in p.items() if k2 in _FIND_KEYS} for p in parts])
    if fnd is not None:
        tables["findings"] = _finding_table(ctx, fnd)

    # -- spot-check results published yesterday ---------------------------------------------
    ins = world.release("inspection_results", cut)
    if ins is not None:
        tables["inspection_results"] = _inspection_table(ctx, ins, world.inspectors)

    # -- inspectors: now and then one leaves the roster or one joins -------------------------
    r = rng("inspectors")
    u = r.random()
    insp = world.inspectors
    if u < 0.15:
        pos = int(r.integers(0, len(insp.ids)))
        insp.active[pos] = not insp.active[pos]
        tables["inspectors"] = insp.table(np.array([pos]))
    elif u < 0.25:
        pos = insp.add(r, int(_pick(r.random(1), ctx.county_weights)[0]))
        tables["inspectors"] = insp.table(np.array([pos]))

    world.last_cut = cut
    return tables




def _write_delta_night(ctx: _Ctx, world: _World, folder: Path, night_no: int, night: date,
                       fmt_mix: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    tables = _delta_tables(ctx, world, night_no, night)
    entries: dict[str, Any] = {}
    ledger: dict[str, Any] = {}
    for source in SOURCES:
        tbl = tables.get(source)
        if tbl is None or tbl.num_rows == 0:
            continue
        w = _FileWriter(ctx, folder, source, _format_for(source, night_no, fmt_mix), night_no, _to_day(night))
        w.add(tbl)
        entries[w.name] = w.close("delta")
        ledger[w.name] = w.ledger
    return entries, ledger


# ================================================================================================
# Public API
# ================================================================================================
def write_sample(out: Path, entities: int, nights: int, *, seed: int = 0,
                 start: date = date(2026, 7, 13), defect_rate: float = 0.01,
                 fmt_mix: bool = True, progress: Callable[[str, int, int], None] | None = None
                 ) -> list[Path]:
    """Write `nights` nightly drops for `entities` market entities (市场主体) into `out`.

    Night 1 (`start`) is a full snapshot of every source; later nights, on consecutive days,
    carry deltas. Same arguments give byte-identical files. `defect_rate` is the share of rows
    given one realistic defect (0: a clean drop), recorded per file in ``_defects.json``.
    `fmt_mix` varies formats by source (UTF-8, UTF-8 with BOM, GB18030 with CRLF, Parquet);
    without it every file is plain UTF-8 CSV. `progress(label, done, total)` reports progress.
    Returns the night folders written.
    """
    if entities < 1 or nights < 1:
        raise ValueError("entities and nights must be at least 1")
    if not 0.0 <= defect_rate <= 0.5:
        raise ValueError("defect_rate must be within [0, 0.5]")
    out = Path(out)
    ctx = _Ctx(seed, entities, start, defect_rate)
    world = _World(inspectors=_make_inspectors(ctx), next_idx=entities, last_cut=ctx.cut1)
    folders: list[Path] = []
    for k in range(nights):
        night = start + timedelta(days=k)
        folder = out / night.isoformat()
        _prepare_folder(folder)
        if k == 0:
            entries, ledger = _write_full_night(ctx, world, folder, night, fmt_mix, progress)
        else:
            entries, ledger = _write_delta_night(ctx, world, folder, k + 1, night, fmt_mix)
            if progress is not None:
                progress(f"{night.isoformat()} delta", 1, 1)
        _write_json(folder / "manifest.json", {"night": night.isoformat(), "files": entries})
        _write_json(folder / "_defects.json", ledger, indent=None)  # C encoder: large at scale
        folders.append(folder)
    return folders


def drop_column(night_dir: Path, file: str, column: str) -> None:
    """Rewrite one file of a night without `column`, keeping encoding, BOM and line endings,
    and update the manifest's rows and sha256 (a file-level failure for tests).

    Ledger entries that pointed at the dropped column are removed; line numbers do not move.
    """
    night_dir = Path(night_dir)
    path = night_dir / file
    manifest = json.loads((night_dir / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["files"][file]
    if file.endswith(".parquet"):
        tbl = pq.read_table(path)
        pq.write_table(tbl.drop_columns([column]), path, compression="snappy")
        rows = tbl.num_rows
    else:
        encoding = entry.get("encoding", "utf-8")
        raw = path.read_bytes()
        bom = raw.startswith(b"\xef\xbb\xbf")
        text = raw[3:].decode(encoding) if bom else raw.decode(encoding)
        eol = "\r\n" if "\r\n" in text else "\n"
        lines = text.split(eol)
        trailing = lines[-1] == ""
        if trailing:
            lines.pop()
        header = lines[0].split(",")
        at = header.index(column)
        kept = [",".join(f for i, f in enumerate(line.split(",")) if i != at) for line in lines]
        body = eol.join(kept) + (eol if trailing else "")
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + body.encode(encoding))
        rows = len(lines) - 1
    entry["rows"] = rows
    entry["sha256"] = file_sha256(path)
    _write_json(night_dir / "manifest.json", manifest)
    ledger_path = night_dir / "_defects.json"
    if ledger_path.exists():
        ledger = json.loads(ledger_path.read_text(encoding="utf-8"))
        if file in ledger:
            ledger[file] = [x for x in ledger[file] if x.get("column") != column]
            _write_json(ledger_path, ledger)
