"""Fixed wording: Chinese names and addresses, GB/T 4754-2017 divisions, per-county tables.

Rows carry small integers (vocabulary ids) for every fixed string; :func:`words_of` spells them
as an Arrow string column only when a table is built.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

import numpy as np
import pyarrow as pa

from credit.contract.regions import COUNTIES, PROVINCE_NAME, County, bureau_name, city_of
from credit.sample.cells import Text

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
SURNAMES: Final = tuple("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏"
                         "苏吕丁任沈姚卢傅钟姜崔谭陆范汪金石方俞应楼")
GIVEN_CHARS: Final = tuple("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文红玲辉鹏飞晓燕斌波宇浩凯婷雪琳俊峰"
                            "海鑫佳欣怡航")
_ROADS: Final = ("人民路", "解放路", "中山路", "建设路", "新华路", "文化路", "环城北路", "环城南路", "江南大道",
                 "滨江路", "学院路", "工业路", "创业路", "科技路", "东风路", "青年路", "和平路", "胜利路",
                 "长安路", "凤起路", "延安路", "庆春路", "文三路", "天目山路", "世纪大道", "开发大道",
                 "振兴路", "金山路", "望江路", "湖滨路", "府前路", "商城大道", "兴业路", "园区路")
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


def _county_doc_prefix(c: County) -> str:
    """Issuing-office part of a document number: 杭西 for 杭州市西湖区, 义 for 义乌市 (文书字号)."""
    if not c.is_district:
        return str(c.name[0])
    abbr = city_of(c.code).abbr
    return str(c.name[:2]) if c.name[0] == abbr else abbr + c.name[0]  # 金东区 -> 金东, not 金金


_V = _Vocab()
EMPTY: Final = _V.id("")
BRAND_IDS: Final = _V.ids(_BRAND_CHARS)
SURNAME_IDS: Final = _V.ids(SURNAMES)
JI: Final = _V.id("记")
ROAD_IDS: Final = _V.ids(_ROADS)
INDUSTRY_CODES: Final = tuple(r[0] for r in _INDUSTRIES)
INDUSTRY_WEIGHTS: Final = {"enterprise": tuple(r[1] for r in _INDUSTRIES),
                           "individual": tuple(r[2] for r in _INDUSTRIES),
                           "farmer_coop": tuple(r[3] for r in _INDUSTRIES)}
"""Weights of the divisions per entity kind (the contract's entity_kind values)."""
INDUSTRY_TRADE: Final = _V.ids(r[4] for r in _INDUSTRIES)
INDUSTRY_SOLE: Final = _V.ids(r[5] for r in _INDUSTRIES)


def _word_table(lists: Sequence[tuple[str, ...]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flattened word lists per industry: (vocab ids, offset of each industry, count >= 1)."""
    flat: list[int] = []
    offsets, counts = [], []
    for words in lists:
        offsets.append(len(flat))
        counts.append(max(1, len(words)))
        flat.extend(_V.id(w) for w in words) if words else flat.append(EMPTY)
    return np.array(flat, np.int32), np.array(offsets, np.int64), np.array(counts, np.int64)


SHOP_IDS, SHOP_OFFSET, SHOP_COUNT = _word_table([r[6] for r in _INDUSTRIES])
COOP_IDS, COOP_OFFSET, COOP_COUNT = _word_table([r[7] for r in _INDUSTRIES])
LEGAL_FORMS: Final = ("有限责任公司", "股份有限公司", "个人独资企业", "合伙企业", "个体工商户", "农民专业合作社")
# Legal-form endings of enterprise names, by legal form; 个人独资企业 uses the industry's own ending.
FORM_SUFFIX: Final = _V.ids(("有限公司", "股份有限公司", "", "合伙企业（有限合伙）", "", "专业合作社"))
COOP_SUFFIX: Final = _V.id("专业合作社")
# Per county: name prefixes (enterprise: city short name, or the county's own name for a county
# or county-level city; individual and co-op: the full county name), address prefix, bureau.
COUNTY_CODE: Final = np.array([int(c.code) for c in COUNTIES], dtype=np.int64)
COUNTY_ENTERPRISE_PREFIX: Final = _V.ids(c.name if not c.is_district else city_of(c.code).short for c in COUNTIES)
COUNTY_INDIVIDUAL_PREFIX: Final = _V.ids((city_of(c.code).name + c.name) if c.is_district else c.name for c in COUNTIES)
COUNTY_ADDRESS: Final = _V.ids(PROVINCE_NAME + city_of(c.code).name + c.name for c in COUNTIES)
COUNTY_BUREAU: Final = _V.ids(bureau_name(c.code) for c in COUNTIES)
COUNTY_DOC: Final = _V.ids(_county_doc_prefix(c) for c in COUNTIES)
COUNTY_CODE_TEXT: Final = _V.ids(c.code for c in COUNTIES)
_CNTY_CITY: Final = np.array([c.city_code for c in COUNTIES])
CITY_FIRST_COUNTY: Final = np.array([int(np.flatnonzero(_CNTY_CITY == x)[0]) for x in _CNTY_CITY])
CITY_LAST_COUNTY: Final = np.array([int(np.flatnonzero(_CNTY_CITY == x)[-1]) for x in _CNTY_CITY])
_VOCAB: Final = pa.array(_V.words, pa.string())


def words_of(ids: np.ndarray) -> Text:
    """Strings of vocabulary ids."""
    return _VOCAB.take(np.asarray(ids, dtype=np.int32))



# The published wording of each spot-check result code (抽查检查结果).
RESULT_TEXT: Final = {
    "normal": "未发现问题", "not_disclosed": "未按规定公示应当公示的信息",
    "false_disclosure": "公示信息隐瞒真实情况、弄虚作假", "unreachable": "通过登记的住所（经营场所）无法联系",
    "ordered_to_correct": "发现问题已责令改正", "not_cooperating": "不予配合情节严重",
    "not_operating": "未发现开展本次抽查涉及的经营活动", "pending": "发现问题待后续处理",
}
