"""Risk indicators (风险指标) of every graded entity, computed set-based over the entity store.

The grading population is every registered entity whose status is operating (domain.md §7;
cancelled, revoked and moved-out entities are not graded). Each indicator family below is a
named function that runs one staged SQL file under ``sql/`` against that population and returns
columns aligned with it, so :func:`build_indicators` only stacks columns — no per-entity Python,
no join on text keys in pandas. The families follow the indicator families of 国市监信发〔2022〕6号
(domain.md §7) and the tax / social-security signals of domain.md §11:

=================  ==========================================================================
family             columns (meaning)
=================  ==========================================================================
basic_attributes   entity_kind, region_code, industry_code, registered_capital, age_years,
                   new_entity (成立不满一年)
operations         reports_missing (应报未报年报数), reports_late (逾期报送数), employees, revenue,
                   report_all_zero (最近一期年报从业人数与营业收入均为零)
supervision        on_abnormal (经营异常名录), marked_abnormal (个体工商户被标记为经营异常状态),
                   on_serious (严重违法失信名单), penalties (公示期内、未修复、未撤销的行政处罚),
                   heavier_penalties (较重行政处罚), fines_total, penalties_unfulfilled,
                   open_findings (核查问题未纠正), inspections_adverse (抽查发现问题)
tax                tax_grade (纳税缴费信用级别), abnormal_taxpayer (非正常户), tax_arrears (欠税)
social_security    insured_count (参保人数), insured_drop (较 insured_trend_months 个月前下降比例),
                   social_arrears_months (欠缴月数)
bank_credit        bank_overdue_days (银行贷款最长逾期天数), bank_default (银行贷款违约或不良);
                   bureau-only signals, never published (domain.md §11, contracts.md §1)
relations          related_serious, related_d (同一法定代表人的其他主体：严重失信 / 上期D类)
=================  ==========================================================================

Missing facts are neutral: an entity with no tax row has ``tax_grade`` NA and scores nothing
for it; counts default to 0 and amounts to 0. An empty cell is unknown (contracts.md §1), not
"none": a fact of the latest period (tax level and arrears, insured headcount and social arrears
months, bank overdue and default) is, field by field, the latest period's that carries a value,
so an unknown month never hides what the month before reported. Tax, social-security and bank facts
go stale: each is read only within its window of grading.yaml (``tax_years``,
``social_security_months``, ``bank_credit_months``; a bureau's file without the first two: no
window). The rosters are read from the rosters area's SQL
function ``roster_entries_as_of(d)`` (our own history, domain.md trap 5); when it does not exist
the night is refused rather than graded as if nobody were on a roster.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Connection

from credit import sqlfiles
from credit.annual_reports import ended_before
from credit.calendar import UnknownCalendarYear, WorkingCalendar
from credit.config import ConfigDoc
from credit.penalties.performance import COMPLETE_WHEN_DECIDED

#: An indicator's value where the entity has no fact (None: a text indicator stays NA).
Default = bool | int | float | str | None

#: The columns of the indicator frame :func:`credit.grading.score.grade` reads, with their defaults.
INDICATOR_DEFAULTS: dict[str, Default] = {
    "new_entity": False,
    "reports_missing": 0,
    "reports_late": 0,
    "report_all_zero": False,
    "on_abnormal": False,
    "marked_abnormal": False,
    "on_serious": False,
    "penalties": 0,
    "heavier_penalties": 0,
    "fines_total": 0.0,
    "penalties_unfulfilled": 0,
    "open_findings": 0,
    "inspections_adverse": 0,
    "tax_grade": None,
    "abnormal_taxpayer": False,
    "tax_arrears": 0.0,
    "social_arrears_months": 0,
    "insured_drop": np.nan,
    "related_serious": 0,
    "related_d": 0,
    "bank_overdue_days": 0,
    "bank_default": False,
}


class RostersUnavailable(RuntimeError):
    """The rosters area's ``roster_entries_as_of(date)`` is missing: grading would be blind."""


@dataclass
class Indicators:
    """The indicator frame of one night plus what the computation had to warn about."""

    frame: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


# -- SQL plumbing -------------------------------------------------------------------------------

def copy_out(conn: Connection, query: str, types: dict[str, pa.DataType],
             params: Mapping[str, object] | None = None) -> pa.Table:
    """Run ``query`` through COPY … TO STDOUT (CSV) on ``conn``'s transaction and parse it with Arrow.

    COPY plus Arrow's CSV reader moves millions of rows in seconds, where row fetching would take
    minutes (stack-notes §6). ``params``: values of the query's ``%(name)s`` placeholders
    (:func:`credit.sqlfiles.rendered`'s ``bound``). COPY takes no parameters of the server's, so
    psycopg quotes them into the text: the planner sees the values, as it would bound ones.
    """
    raw = conn.connection.driver_connection
    assert raw is not None  # a live connection inside the night's transaction
    buf = io.BytesIO()
    with raw.cursor() as cur, cur.copy(
            sqlfiles.text_of("grading/copy_out").format(query=query.strip().rstrip(";")), params) as cp:
        for chunk in cp:
            buf.write(chunk)
    buf.seek(0)
    return pacsv.read_csv(
        buf,
        read_options=pacsv.ReadOptions(block_size=1 << 24),
        convert_options=pacsv.ConvertOptions(
            column_types=types, true_values=["t"], false_values=["f"],
            strings_can_be_null=True, null_values=[""],
        ),
    )


def _scatter(n: int, table: pa.Table, columns: dict[str, Default]) -> pd.DataFrame:
    """Spread a sparse family result (keyed by population row ``rn``) into full-length columns."""
    rn = table.column("rn").to_numpy()
    out: dict[str, object] = {}
    for name, default in columns.items():
        values = table.column(name)
        if default is None or isinstance(default, str):
            arr = np.full(n, None, dtype=object)
            arr[rn] = values.to_numpy(zero_copy_only=False)
            out[name] = pd.array(arr, dtype="string")
        elif isinstance(default, bool | np.bool_):
            arr_b = np.full(n, bool(default))
            arr_b[rn] = values.fill_null(pa.scalar(bool(default))).to_numpy(zero_copy_only=False)
            out[name] = arr_b
        elif isinstance(default, int):
            arr_i = np.full(n, int(default), dtype=np.int64)
            arr_i[rn] = values.fill_null(pa.scalar(int(default))).to_numpy(zero_copy_only=False)
            out[name] = arr_i
        else:
            arr_f = np.full(n, float(default), dtype=np.float64)
            arr_f[rn] = values.cast(pa.float64()).to_numpy(zero_copy_only=False)
            if not np.isnan(float(default)):
                arr_f = np.where(np.isnan(arr_f), float(default), arr_f)
            out[name] = arr_f
    return pd.DataFrame(out)


#: A chunk's first and last USCC (:func:`chunk_bounds`); None when the population is empty.
Bounds = tuple[str | None, str | None]


def chunk_bounds(conn: Connection) -> Bounds:
    """The first and last USCC of the population graded next, a chunk of the whole
    (:func:`chunk_population`), read once per chunk: two probes of its USCC index."""
    lo, hi = conn.exec_driver_sql(sqlfiles.text_of("grading/population_bounds")).one()
    return lo, hi


def _family(name: str, bounds: Bounds | None, values: Mapping[str, object] | None = None,
            **params: date | int) -> tuple[str, dict[str, object]]:
    """A family's statement and its values: ``:ranged`` 1 with a chunk's ``bounds`` as ``:lo`` and
    ``:hi``, values the planner sees; 0 without (``:lo``, ``:hi`` null and never read). ``values``:
    further placeholders passed the same way (values of any type, e.g. a list).

    Before, the statements read the bounds themselves, ``(select min(uscc) from grading_population)``:
    InitPlans, whose values are not known when the statement is planned, so the planner took a
    range of the fact table's index for a default fraction of it. At 1 M entities, a chunk of
    200,000: social.sql expected 5,240 rows of social_security and read 411,000; rosters.sql, 867
    listed rows expected for 33,716, probed the chunk's index per row: 0.29–0.37 s of the backend's
    CPU against 0.11–0.18 s now (docs/benchmarks.md, "A grading chunk's USCC range")."""
    lo, hi = bounds if bounds is not None else (None, None)
    extra = dict(values or {})
    return (sqlfiles.rendered(name, bound=("lo", "hi", *extra), ranged=int(bounds is not None), **params),
            {"lo": lo, "hi": hi, **extra})


def roster_function_exists(conn: Connection) -> bool:
    return bool(conn.exec_driver_sql(sqlfiles.text_of("grading/roster_function_exists")).scalar())


# -- the population and the families -------------------------------------------------------------

def create_population(conn: Connection, scoped: bool = False, *, chunk: int | None = None) -> int:
    """Create the night's grading population (temporary table ``grading_population``); its size.
    ``scoped``: the operating entities of the night's scope only (table ``night_scope``,
    :mod:`credit.night.scope`).

    ``chunk``: the population is graded by chunks of that many entities when it holds more
    (:func:`chunk_population`). It is then left without the indexes by USCC and by legal
    representative (``grading/population_index.sql``), which only a population graded whole reads:
    each chunk is indexed by USCC itself (``grading/population_chunk.sql``), and the whole is read
    by ``rn``. At 1 M entities (899,008 graded) the two builds took 2.0–7.1 s of the server's time
    on the shared 2-core machine (uscc 0.7–2.3 s, legal_rep_hash 1.3–5.3 s), for indexes no statement read."""
    conn.exec_driver_sql(sqlfiles.rendered("grading/population_scope" if scoped else "grading/population"))
    n = int(conn.exec_driver_sql(sqlfiles.text_of("storage/count_rows").format(table="grading_population")).scalar_one())
    if chunk is None or n <= chunk:
        conn.exec_driver_sql(sqlfiles.rendered("grading/population_index"))
    return n


def chunk_population(conn: Connection, start: int, size: int) -> None:
    """Make rows ``start ≤ rn < start + size`` of the whole population the population graded next
    (the whole one is first renamed ``grading_everyone``; credit.grading.night grades by chunks).

    The whole is indexed by ``rn`` once, so that a chunk is a range scan of its rows rather than
    a scan of the whole population (a temporary table larger than ``temp_buffers``, read from the
    operating system for every chunk). At 1 M entities: the index built in 0.5–1.3 s once; a chunk
    of 200,000 read in 57–80 ms instead of 0.6–1.3 s (EXPLAIN ANALYZE, docs/benchmarks.md)."""
    if start == 0:
        conn.exec_driver_sql(sqlfiles.text_of("storage/drop_table_if_exists").format(table="grading_everyone"))
        conn.exec_driver_sql(sqlfiles.text_of("grading/population_whole"))
        conn.exec_driver_sql(sqlfiles.text_of("grading/population_whole_index"))
    conn.exec_driver_sql(sqlfiles.rendered("grading/population_chunk", a=start, b=start + size))


def population(conn: Connection, night: date, scoped: bool = False, *, created: bool = False) -> pd.DataFrame:
    """Create the night's grading population (temporary table ``grading_population``) and return it.

    Columns: uscc, entity_kind, region_code, industry_code, registered_capital, established_on,
    legal_rep_hash, in USCC order (row ``i`` is ``rn = i``). ``scoped``: see :func:`create_population`;
    ``created``: the table is there already (:func:`chunk_population`).
    """
    if not created:
        create_population(conn, scoped)
    table = copy_out(
        conn,
        sqlfiles.text_of("grading/population_rows"),
        {"uscc": pa.string(), "entity_kind": pa.string(), "region_code": pa.string(),
         "industry_code": pa.string(), "registered_capital": pa.float64(), "established_on": pa.date32(),
         "legal_rep_hash": pa.string()},
    )
    return table.to_pandas(date_as_object=False, types_mapper=_string_as_pandas_text)


def _string_as_pandas_text(arrow_type: pa.DataType) -> pd.api.extensions.ExtensionDtype | None:
    """Arrow text becomes pandas' string dtype; other types convert as pandas chooses."""
    return pd.StringDtype() if arrow_type == pa.string() else None


def basic_attributes(pop: pd.DataFrame, night: date) -> pd.DataFrame:
    """基本属性: age in years at the night and the new-entity flag (成立不满一年), plus the registration
    attributes the report groups by. Vectorised over the population frame."""
    established = pop["established_on"].to_numpy(dtype="datetime64[D]")
    age_days = (np.datetime64(night, "D") - established).astype(np.int64)
    # The first year (成立不满一年) as the law counts a year (民法典 arts. 201, 202; domain.md §12):
    # it ends at 24:00 on the corresponding day of the next year, the last day of the month where
    # there is none (29 February → 28 February). Before, 365 days: a day short on the
    # corresponding day itself (and two after a 29 February), where 5 points can move a tier.
    month = established.astype("datetime64[M]")
    next_year = month + 12
    last_day = (next_year + 1).astype("datetime64[D]") - 1
    first_year_end = np.minimum(next_year.astype("datetime64[D]") + (established - month.astype("datetime64[D]")),
                                last_day)
    return pd.DataFrame({
        "entity_kind": pop["entity_kind"],
        "region_code": pop["region_code"],
        "industry_code": pop["industry_code"],
        "registered_capital": pop["registered_capital"],
        "age_years": age_days / 365.25,
        "new_entity": np.datetime64(night, "D") <= first_year_end,
    })


def report_deadlines(night: date, years_back: int, calendar: WorkingCalendar) -> tuple[list[tuple[int, date]], list[str]]:
    """The last ``years_back`` report years whose filing period ended before ``night``, with its end.

    The annual report for year Y is filed 1 January – 30 June of Y+1 (domain.md §2, 企业信息公示暂行条例
    art. 8); a deadline on a rest day rolls to the next working day (民法典 art. 203, domain.md §12).
    The years and their ends are :func:`credit.annual_reports.ended_before`'s, the rosters' cause 1's:
    a Monday–Friday 30 June of a year the calendar does not know yet is taken as the end (domain.md
    §13 ex. 11), a weekend one waits with a warning. Before, the grading left out every year the
    calendar did not know, so in July 2027 it did not count the missing 2026 report the rosters
    listed the entity for.
    """
    years, warnings = ended_before(night, night.year - 1 - years_back, calendar)
    return years[-years_back:], warnings


def ordered_periods_running_from(night: date, calendar: WorkingCalendar) -> date:
    """The earliest last day of an ordered disclosure period (finding ``ordered_disclosure_overdue``)
    whose period still runs on ``night``: ``night + 1`` when ``night`` is a working day, else the
    first day of the rest days that end at ``night``.

    A period whose last day is a rest day ends on the next working day (民法典 art. 203, domain.md
    §3.2, §12; :meth:`credit.calendar.WorkingCalendar.roll_forward`, as the rosters' cause 2 rolls
    it, credit.rosters.decide), and until then the entity may still disclose: the finding is not
    overdue yet. A year the calendar does not know is never guessed: nothing is held back then, as
    the rosters then keep the finding's own date.
    """
    start = night + timedelta(days=1)
    try:
        for _ in range(31):   # the longest run of rest days is 8–9 days (National Day, Spring Festival)
            day = start - timedelta(days=1)
            if calendar.roll_forward(day) <= night:
                break
            start = day
    except UnknownCalendarYear:
        return night + timedelta(days=1)
    return start


def operations(conn: Connection, night: date, n: int, deadlines: list[tuple[int, date]], *,
               bounds: Bounds | None = None) -> pd.DataFrame:
    """经营: annual reports missing and late over the due years, and the latest report's figures.
    ``bounds``: see :func:`build_indicators`."""
    conn.exec_driver_sql(sqlfiles.text_of("storage/drop_table_if_exists").format(table="grading_report_years"))
    conn.exec_driver_sql(sqlfiles.text_of("grading/report_years_create"))
    if deadlines:
        values = ", ".join(f"({int(y)}, date '{d.isoformat()}')" for y, d in deadlines)
        conn.exec_driver_sql(sqlfiles.text_of("grading/report_years_insert").format(values=values))
    conn.exec_driver_sql(sqlfiles.text_of("storage/analyze_table").format(table="grading_report_years"))  # 3 rows, not the planner's default guess of 2,260
    query, bound = _family("grading/operations", bounds)
    table = copy_out(conn, query, {
        "rn": pa.int64(), "reports_missing": pa.int64(), "reports_late": pa.int64(),
        "employees": pa.float64(), "revenue": pa.float64()}, bound)
    out = _scatter(n, table, {"reports_missing": 0, "reports_late": 0, "employees": np.nan, "revenue": np.nan})
    out["report_all_zero"] = (out["employees"] == 0) & (out["revenue"] == 0)
    return out


def create_night_facts(conn: Connection, night: date, scoped: bool = False) -> None:
    """The facts every chunk of the night's population reads, computed once a night (issue 11):
    roster state as of the night (``grading_listed``) and the entities that make a relation
    adverse (``grading_flagged``), temporary tables of ``grading/night_facts.sql``. ``scoped``:
    the population is a scoped night's (:func:`create_population` ran): only the rows its families
    read, through indexes (``grading/night_facts_scope.sql``), not the whole log and registry."""
    if not roster_function_exists(conn):
        raise RostersUnavailable(
            "roster_entries_as_of(date) does not exist: run the rosters migration (0002) before grading; "
            "grading without roster state would put listed entities in the wrong tier"
        )
    conn.exec_driver_sql(sqlfiles.rendered("grading/night_facts_scope" if scoped else "grading/night_facts", night=night))


def supervision(conn: Connection, night: date, n: int, windows: dict[str, int], *, facts: bool = False,
                bounds: Bounds | None = None, heavier_measures: Sequence[str] = (),
                calendar: WorkingCalendar) -> pd.DataFrame:
    """监管: roster state as of the night, penalties and their weight, open findings, recent
    spot-check problems (domain.md §3, §4, §6, §8). Reads :func:`create_night_facts`'s
    ``grading_listed`` (``facts``: created already for ``night``; otherwise created here;
    ``bounds``: see :func:`build_indicators`). ``heavier_measures``: the measures that make a
    penalty heavier whatever the drop's flag says (44号令 art. 2 items 2–3, domain.md §4; rosters.yaml
    ``heavier_measures``, :meth:`credit.rosters.env.RosterEnv.heavier_measures`). ``calendar``: the
    working days an ordered disclosure period rolls over (:func:`ordered_periods_running_from`)."""
    if not facts:
        create_night_facts(conn, night)
    query, values = _family("grading/rosters", bounds)
    rosters = copy_out(conn, query, {"rn": pa.int64(), "on_abnormal": pa.bool_(), "marked_abnormal": pa.bool_(),
                                     "on_serious": pa.bool_()}, values)
    # Only penalties still in use: inside their publicity window, not repaired, not revoked
    # (domain.md §5.1, §5.3, §6; credit.penalties keeps the windows, the night before grading).
    query, values = _family("grading/penalties", bounds,
                            {"hm": list(heavier_measures), "complete": list(COMPLETE_WHEN_DECIDED)}, night=night)
    pens = copy_out(conn, query, {"rn": pa.int64(), "penalties": pa.int64(), "heavier_penalties": pa.int64(),
                                  "fines_total": pa.float64(), "penalties_unfulfilled": pa.int64()}, values)
    query, values = _family("grading/findings", bounds, night=night, finding_years=windows["finding_years"],
                            running_from=ordered_periods_running_from(night, calendar))
    finds = copy_out(conn, query, {"rn": pa.int64(), "open_findings": pa.int64()}, values)
    query, values = _family("grading/inspections", bounds, night=night,
                            inspection_years=windows["inspection_years"])
    insp = copy_out(conn, query, {"rn": pa.int64(), "inspections_adverse": pa.int64()}, values)
    return pd.concat([
        _scatter(n, rosters, {"on_abnormal": False, "marked_abnormal": False, "on_serious": False}),
        _scatter(n, pens, {"penalties": 0, "heavier_penalties": 0, "fines_total": 0.0, "penalties_unfulfilled": 0}),
        _scatter(n, finds, {"open_findings": 0}),
        _scatter(n, insp, {"inspections_adverse": 0}),
    ], axis=1)


def tax_window_start(night: date, years: int | None) -> int:
    """The first assessment year the grading reads on ``night``: the night's year − ``years``
    (grading.yaml ``windows.tax_years``, domain.md §11); 0 (every year) when the bureau's file has
    no such window."""
    return 0 if years is None else night.year - years


def social_window_start(night: date, months: int | None) -> str:
    """The first period (YYYY-MM) whose headcount or arrears months the grading reads on ``night``:
    the night's month − ``months`` (grading.yaml ``windows.social_security_months``, domain.md §11;
    the month of ``night − months``, as bank credit's window); ``'0000-00'`` (every period) when the
    bureau's file has no such window."""
    if months is None:
        return "0000-00"
    k = night.year * 12 + night.month - 1 - months
    return f"{k // 12:04d}-{k % 12 + 1:02d}"


def social_window_end(night: date) -> str:
    """The last period (YYYY-MM) whose headcount or arrears months the grading reads on ``night``:
    the night's own month. A later period waits for its month (``sql/grading/social.sql``)."""
    return f"{night.year:04d}-{night.month:02d}"


def tax(conn: Connection, night: date, n: int, years: int | None = None, *,
        bounds: Bounds | None = None) -> pd.DataFrame:
    """纳税: latest tax-and-fee credit grade and arrears known (each the latest year's that carries
    one), and the latest year's 非正常户 status (domain.md §11), of the assessment years from the
    night's year − ``years`` (None: every year, :func:`tax_window_start`). ``bounds``: see
    :func:`build_indicators`."""
    query, values = _family("grading/tax", bounds, tax_from_year=tax_window_start(night, years))
    table = copy_out(conn, query, {
        "rn": pa.int64(), "tax_grade": pa.string(), "abnormal_taxpayer": pa.bool_(), "tax_arrears": pa.float64()},
        values)
    return _scatter(n, table, {"tax_grade": None, "abnormal_taxpayer": False, "tax_arrears": 0.0})


def social_security(conn: Connection, night: date, n: int, trend_months: int, months: int | None = None, *,
                    bounds: Bounds | None = None) -> pd.DataFrame:
    """社保: insured headcount, its drop against ``trend_months`` earlier, arrears months (domain.md §11).

    The headcount and the arrears months are each the latest period's that carries one, within
    ``months`` before the night (None: any period, :func:`social_window_start`) and not after the
    night's month (:func:`social_window_end`); the drop
    compares the latest headcount known with the period ``trend_months`` before that one.

    ``insured_drop`` = (earlier − latest) / earlier when the earlier headcount is positive, in whole
    percent rounded down (0.899 is 0.89), floored at 0; NA when there is nothing to compare (a new
    insurer is not a drop). The grade's reason shows the value to two decimals, so the value graded
    is the value shown: a drop of 89.9 % shown as 0.9 scored the band under 0.9, and an officer who
    put the shown 0.9 through the bands got another contribution (domain.md §7: every grade with its
    reasons; outsider's pass bbgrade). INSURED_DROP's bands are therefore whole percents (a min of
    0.335 would be reached at 0.34). ``bounds``: see :func:`build_indicators`.
    """
    query, values = _family("grading/social", bounds, {"social_since": social_window_start(night, months),
                                                       "social_until": social_window_end(night)},
                            trend_months=trend_months)
    table = copy_out(conn, query, {
        "rn": pa.int64(), "insured_count": pa.float64(), "social_arrears_months": pa.int64(),
        "insured_earlier": pa.float64()}, values)
    out = _scatter(n, table, {"insured_count": np.nan, "social_arrears_months": 0, "insured_earlier": np.nan})
    earlier = out.pop("insured_earlier").to_numpy()
    latest = out["insured_count"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        # headcounts are whole numbers: (earlier − latest) × 100 / earlier is exact where it is whole
        drop = np.where(earlier > 0, np.clip(np.floor((earlier - latest) * 100.0 / earlier) / 100.0, 0.0, 1.0),
                        np.nan)
    out["insured_drop"] = drop
    return out


def bank_credit(conn: Connection, night: date, n: int, months: int, *, bounds: Bounds | None = None,
                probe: bool = False) -> pd.DataFrame:
    """银行信用: the longest overdue and the default, each of the latest month within ``months``
    that carries it (domain.md §11; an empty cell is unknown, contracts.md §1). No report in the
    window is neutral (0 days, no default): most entities have no loans at all. ``bounds``: see :func:`build_indicators`.

    ``probe``: the population is a scoped night's, one chunk (``sql/grading/bank_credit_scope.sql``:
    the same rows, by one probe of bank_credit's key per entity). ``bank_credit.sql`` joined the
    window's rows to the population, and even at the scoped night's ``random_page_cost`` 1.1
    (``credit.grading.night.scoped_costs``) the planner priced the probes a little above a read of
    every row in the window (7,292 against 7,105) and hashed them all. At 1 M, night 2 (7,057
    operating entities in the scope, 2,005 with a report in the window, 154,104 rows in it; the
    window's ``to_char`` bounds evaluated per row of the scan were ~90 ms of it), EXPLAIN ANALYZE
    in the night's transaction, the two forms alternated three times, the same 2,005 rows (md5):
    ``bank_credit.sql`` 251, 224, 237 ms; this one 56 (first, its pages read from outside the
    server's buffers), 39, 41 ms. The lateral form has no hash join to choose. A full night and a
    chunk of several keep ``bank_credit.sql`` (their populations read most of the window)."""
    values: dict[str, object] | None = None
    if probe and bounds is None:
        query = sqlfiles.rendered("grading/bank_credit_scope", night=night, bank_credit_months=months)
    else:
        query, values = _family("grading/bank_credit", bounds, night=night, bank_credit_months=months)
    table = copy_out(conn, query, {"rn": pa.int64(), "bank_overdue_days": pa.int64(), "bank_default": pa.bool_()},
                     values)
    return _scatter(n, table, {"bank_overdue_days": 0, "bank_default": False})


def relations(conn: Connection, night: date, n: int, *, facts: bool = False) -> pd.DataFrame:
    """关联: same legal representative behind entities on the serious list tonight or in tier D on
    the previous graded night (domain.md §3.6 art. 18 para. 2; §7 related enterprises). Reads
    :func:`create_night_facts`'s ``grading_flagged`` (``facts``: created already for ``night`` in
    this transaction, with the roster state as it stands; otherwise created here)."""
    if not facts:
        create_night_facts(conn, night)
    table = copy_out(conn, sqlfiles.rendered("grading/relations"),
                     {"rn": pa.int64(), "related_serious": pa.int64(), "related_d": pa.int64()})
    return _scatter(n, table, {"related_serious": 0, "related_d": 0})


def build_indicators(conn: Connection, night: date, config: ConfigDoc, calendar: WorkingCalendar,
                     scoped: bool = False, *, created: bool = False, facts: bool = False,
                     ranged: bool = False, heavier_measures: Sequence[str] = ()) -> Indicators:
    """Every indicator of every operating entity on ``night``, one row per entity in USCC order
    (``scoped``: of the entities of the night's scope, ``night_scope``; ``created``: of the
    population table as it stands, a chunk of it; ``facts``: :func:`create_night_facts` ran
    already for ``night`` in this transaction, once for every chunk).

    ``ranged``: the population is one chunk of several (:func:`chunk_population`), a contiguous
    USCC range: every family reads the fact tables only between the chunk's first and last USCC,
    through their (uscc, …) indexes, instead of reading each table whole once per chunk (issue 11:
    grading time linear in the entities, not in entities × chunks). The two USCCs are read once
    (:func:`chunk_bounds`) and given to every statement as values, so that each is planned for the
    chunk's share of the fact tables (:func:`_family`). Off for a single population,
    the whole one or a scoped night's few scattered entities, whose plans stay as they were (the
    ``:ranged = 0 or …`` condition of the SQL folds away when the query is planned). The relations
    family reads ``grading_flagged`` by legal representative, computed once a night, not by range.
    ``heavier_measures``: see :func:`supervision`."""
    windows = {k: int(v) for k, v in config["windows"].items()}
    if not facts:
        create_night_facts(conn, night)
    pop = population(conn, night, scoped, created=created)
    bounds = chunk_bounds(conn) if ranged else None
    n = len(pop)
    deadlines, warnings = report_deadlines(night, windows["annual_report_years"], calendar)
    frame = pd.concat([
        pop[["uscc", "legal_rep_hash"]],
        basic_attributes(pop, night),
        operations(conn, night, n, deadlines, bounds=bounds),
        supervision(conn, night, n, windows, facts=True, bounds=bounds, heavier_measures=heavier_measures,
                    calendar=calendar),
        tax(conn, night, n, windows.get("tax_years"), bounds=bounds),
        social_security(conn, night, n, windows["insured_trend_months"], windows.get("social_security_months"),
                        bounds=bounds),
        bank_credit(conn, night, n, windows.get("bank_credit_months", 3), bounds=bounds, probe=scoped),
        relations(conn, night, n, facts=True),
    ], axis=1)
    return Indicators(frame, warnings)
