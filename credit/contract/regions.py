"""Administrative divisions of Zhejiang (浙江省行政区划) used by the sample generator and reports.

Codes are GB/T 2260 six-digit codes (行政区划代码) as in force after the 2021 Hangzhou
reorganisation (下城区 330103 and 江干区 330104 abolished; 临平区 330113 and 钱塘区 330114 created)
and the 2019 creation of 龙港市 330383. A USCC carries the code of the *registering authority*
in positions 3-8 (domain.md §1), which may be a city-level code (e.g. 330100) rather than the
county-level code of the entity's address; both kinds of code are listed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

PROVINCE_CODE: Final = "330000"
PROVINCE_NAME: Final = "浙江省"


@dataclass(frozen=True, slots=True)
class City:
    """A prefecture-level city (地级市)."""

    code: str
    name: str
    short: str
    """Name without 市, as used at the start of enterprise names (企业名称中的行政区划)."""
    abbr: str
    """One-character abbreviation used in document numbers (文书字号), e.g. 杭 in 杭市监处罚〔2026〕1号."""


@dataclass(frozen=True, slots=True)
class County:
    """A county-level division (县级行政区: 市辖区, 县, 县级市)."""

    code: str
    name: str
    city_code: str

    @property
    def is_district(self) -> bool:
        """True for a 市辖区 (its name is only meaningful together with the city's)."""
        return self.name.endswith("区")


CITIES: Final[tuple[City, ...]] = (
    City("330100", "杭州市", "杭州", "杭"),
    City("330200", "宁波市", "宁波", "甬"),
    City("330300", "温州市", "温州", "温"),
    City("330400", "嘉兴市", "嘉兴", "嘉"),
    City("330500", "湖州市", "湖州", "湖"),
    City("330600", "绍兴市", "绍兴", "绍"),
    City("330700", "金华市", "金华", "金"),
    City("330800", "衢州市", "衢州", "衢"),
    City("330900", "舟山市", "舟山", "舟"),
    City("331000", "台州市", "台州", "台"),
    City("331100", "丽水市", "丽水", "丽"),
)

COUNTIES: Final[tuple[County, ...]] = (
    # 杭州市
    County("330102", "上城区", "330100"),
    County("330105", "拱墅区", "330100"),
    County("330106", "西湖区", "330100"),
    County("330108", "滨江区", "330100"),
    County("330109", "萧山区", "330100"),
    County("330110", "余杭区", "330100"),
    County("330111", "富阳区", "330100"),
    County("330112", "临安区", "330100"),
    County("330113", "临平区", "330100"),
    County("330114", "钱塘区", "330100"),
    County("330122", "桐庐县", "330100"),
    County("330127", "淳安县", "330100"),
    County("330182", "建德市", "330100"),
    # 宁波市
    County("330203", "海曙区", "330200"),
    County("330205", "江北区", "330200"),
    County("330206", "北仑区", "330200"),
    County("330211", "镇海区", "330200"),
    County("330212", "鄞州区", "330200"),
    County("330213", "奉化区", "330200"),
    County("330225", "象山县", "330200"),
    County("330226", "宁海县", "330200"),
    County("330281", "余姚市", "330200"),
    County("330282", "慈溪市", "330200"),
    # 温州市
    County("330302", "鹿城区", "330300"),
    County("330303", "龙湾区", "330300"),
    County("330304", "瓯海区", "330300"),
    County("330305", "洞头区", "330300"),
    County("330324", "永嘉县", "330300"),
    County("330326", "平阳县", "330300"),
    County("330327", "苍南县", "330300"),
    County("330328", "文成县", "330300"),
    County("330329", "泰顺县", "330300"),
    County("330381", "瑞安市", "330300"),
    County("330382", "乐清市", "330300"),
    County("330383", "龙港市", "330300"),
    # 嘉兴市
    County("330402", "南湖区", "330400"),
    County("330411", "秀洲区", "330400"),
    County("330421", "嘉善县", "330400"),
    County("330424", "海盐县", "330400"),
    County("330481", "海宁市", "330400"),
    County("330482", "平湖市", "330400"),
    County("330483", "桐乡市", "330400"),
    # 湖州市
    County("330502", "吴兴区", "330500"),
    County("330503", "南浔区", "330500"),
    County("330521", "德清县", "330500"),
    County("330522", "长兴县", "330500"),
    County("330523", "安吉县", "330500"),
    # 绍兴市
    County("330602", "越城区", "330600"),
    County("330603", "柯桥区", "330600"),
    County("330604", "上虞区", "330600"),
    County("330624", "新昌县", "330600"),
    County("330681", "诸暨市", "330600"),
    County("330683", "嵊州市", "330600"),
    # 金华市
    County("330702", "婺城区", "330700"),
    County("330703", "金东区", "330700"),
    County("330723", "武义县", "330700"),
    County("330726", "浦江县", "330700"),
    County("330727", "磐安县", "330700"),
    County("330781", "兰溪市", "330700"),
    County("330782", "义乌市", "330700"),
    County("330783", "东阳市", "330700"),
    County("330784", "永康市", "330700"),
    # 衢州市
    County("330802", "柯城区", "330800"),
    County("330803", "衢江区", "330800"),
    County("330822", "常山县", "330800"),
    County("330824", "开化县", "330800"),
    County("330825", "龙游县", "330800"),
    County("330881", "江山市", "330800"),
    # 舟山市
    County("330902", "定海区", "330900"),
    County("330903", "普陀区", "330900"),
    County("330921", "岱山县", "330900"),
    County("330922", "嵊泗县", "330900"),
    # 台州市
    County("331002", "椒江区", "331000"),
    County("331003", "黄岩区", "331000"),
    County("331004", "路桥区", "331000"),
    County("331022", "三门县", "331000"),
    County("331023", "天台县", "331000"),
    County("331024", "仙居县", "331000"),
    County("331081", "温岭市", "331000"),
    County("331082", "临海市", "331000"),
    County("331083", "玉环市", "331000"),
    # 丽水市
    County("331102", "莲都区", "331100"),
    County("331121", "青田县", "331100"),
    County("331122", "缙云县", "331100"),
    County("331123", "遂昌县", "331100"),
    County("331124", "松阳县", "331100"),
    County("331125", "云和县", "331100"),
    County("331126", "庆元县", "331100"),
    County("331127", "景宁畲族自治县", "331100"),
    County("331181", "龙泉市", "331100"),
)

CITY_BY_CODE: Final[dict[str, City]] = {c.code: c for c in CITIES}
COUNTY_BY_CODE: Final[dict[str, County]] = {c.code: c for c in COUNTIES}

REGION_NAMES: Final[dict[str, str]] = {
    PROVINCE_CODE: PROVINCE_NAME,
    **{c.code: c.name for c in CITIES},
    **{c.code: c.name for c in COUNTIES},
}
"""Every code of this module (province, cities, counties) with its Chinese name."""


def city_of(code: str) -> City:
    """The prefecture-level city a city or county code belongs to (first four digits + '00')."""
    return CITY_BY_CODE[code[:4] + "00"]


def full_name(code: str) -> str:
    """Full Chinese name of a code, e.g. '330106' -> '浙江省杭州市西湖区'."""
    if code == PROVINCE_CODE:
        return PROVINCE_NAME
    city = city_of(code)
    if code == city.code:
        return PROVINCE_NAME + city.name
    return PROVINCE_NAME + city.name + COUNTY_BY_CODE[code].name


def bureau_name(code: str) -> str:
    """Name of the market-regulation bureau (市场监督管理局) of a city or county code.

    A district bureau carries the city's name (杭州市西湖区市场监督管理局); a county or
    county-level city bureau does not (义乌市市场监督管理局).
    """
    if code == PROVINCE_CODE:
        return PROVINCE_NAME + "市场监督管理局"
    city = city_of(code)
    if code == city.code:
        return city.name + "市场监督管理局"
    county = COUNTY_BY_CODE[code]
    return (city.name + county.name if county.is_district else county.name) + "市场监督管理局"
