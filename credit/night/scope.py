"""The night's scope: the set of entities a night re-decides and re-grades (issue 11).

A night works on a *scope*, materialised as the temporary table ``night_scope(uscc text primary
key)`` inside the publishing transaction (dropped at commit). Everything the night decides or
grades per entity reads only the scope's entities:

- :func:`credit.rosters.decide.decide_night` runs its candidate queries through :func:`frame`,
  which keeps the rows of the scope's entities (the scope's USCCs bound as an array, a filter the
  planner pushes down to the tables; the rosters' fold of the log read per entity, by index);
- :func:`credit.grading.night.grade_night` grades the operating entities of the scope (the grading
  population, ``sql/grading/population.sql``, is intersected with ``night_scope``) and closes or
  opens grade ranges of the scope only; the distribution, the transitions and ``grading_runs``
  stay those of *all* entities (derived from the ranges).

A scope is either **everything** (a full night: no filter at all, so the night is exactly what it
was before scopes existed) or a set of USCCs. :func:`restrict_to_region` intersects either with
a region prefix (the first digits of the GB/T 2260 division code, USCC characters 3–8), which is
how a night can be run for one region.

The scope of an incremental night (:func:`incremental`, SQL in ``sql/night/scope_*.sql``) is the
entities whose inputs changed tonight, those that time alone changes tonight, and the entities
related to them through the same legal representative; a night with a global time event (a new
year, an annual-report deadline, a configured date, a configuration change) runs full
(:func:`global_events`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, TypedDict

import pandas as pd
import psycopg
import sqlalchemy as sa
from psycopg.adapt import Dumper

from credit import sqlfiles
from credit.db import local_setting

if TYPE_CHECKING:
    from credit.night.merge import MergeRecord
    from credit.settings import Settings

TABLE = "night_scope"
_USCCS = "credit.night.scope.usccs"   # conn.info key: (scope, its USCCs), usccs()
Mode = Literal["full", "incremental", "region"]


class ScopeRecord(TypedDict):
    """What a night records about its scope (``night_runs.summary["scope"]``)."""

    mode: str                    # full | incremental (| region, for a night run per region)
    entities: int                # entities in the scope (a full night: every registered entity)
    reasons: dict[str, int]      # why entities are in it (reason → entities; one entity may have several)


@dataclass(frozen=True)
class NightScope:
    """The entities a night works on. ``everything``: no filter (a full night)."""

    mode: Mode
    everything: bool
    entities: int
    reasons: dict[str, int] = field(default_factory=dict)
    region_prefix: str | None = None

    def as_dict(self) -> ScopeRecord:
        reasons = dict(self.reasons)
        if self.region_prefix is not None:
            reasons["region_prefix:" + self.region_prefix] = self.entities
        return {"mode": self.mode, "entities": self.entities, "reasons": reasons}


def is_scoped(scope: NightScope | None) -> bool:
    """Whether ``scope`` filters anything (None and a full scope do not)."""
    return scope is not None and not scope.everything


# -- materialising ----------------------------------------------------------------------------------

def _create(conn: sa.Connection) -> None:
    conn.info.pop(_USCCS, None)
    conn.exec_driver_sql(sqlfiles.text_of("storage/drop_table_if_exists").format(table=TABLE))
    conn.exec_driver_sql(sqlfiles.text_of("night/scope_create"))


def _count(conn: sa.Connection) -> int:
    conn.info.pop(_USCCS, None)   # the table changed: the USCCs are read again (usccs)
    conn.exec_driver_sql(sqlfiles.text_of("storage/analyze_table").format(table=TABLE))   # temporary tables are never auto-analyzed
    return int(conn.exec_driver_sql(sqlfiles.text_of("night/scope_count")).scalar_one())


def everything(conn: sa.Connection) -> NightScope:
    """A full night: every entity. ``night_scope`` exists (empty) so that scoped SQL still parses."""
    _create(conn)
    n = int(conn.exec_driver_sql(sqlfiles.text_of("night/scope_registered")).scalar_one())
    return NightScope("full", True, n, {"full": n})


def of_entities(conn: sa.Connection, usccs: Iterable[str], mode: Mode = "incremental",
                reasons: Mapping[str, int] | None = None) -> NightScope:
    """A scope of the given entities (tests, officers' re-runs of a few entities)."""
    _create(conn)
    values = sorted({str(u) for u in usccs})
    if values:
        conn.execute(sqlfiles.statement("night/scope_add_given"), {"u": values})
    n = _count(conn)
    return NightScope(mode, False, n, dict(reasons or {"given": n}))


def of_query(conn: sa.Connection, name: str, params: Mapping[str, Any], mode: Mode = "incremental") -> NightScope:
    """A scope from ``sql/<name>.sql``, which returns rows ``(uscc, reason)``: the entities (distinct)
    and, per reason, how many entities it brought."""
    _create(conn)
    conn.execute(sa.text(sqlfiles.text_of("storage/temporary_table_as").format(
        table="night_scope_reasons", query=sqlfiles.text_of(name).rstrip().rstrip(";"))), dict(params))
    conn.exec_driver_sql(sqlfiles.text_of("night/scope_reasons_fill"))
    rows = conn.exec_driver_sql(sqlfiles.text_of("night/scope_reasons_counts")).all()
    conn.exec_driver_sql(sqlfiles.text_of("storage/drop_table").format(table="night_scope_reasons"))
    return NightScope(mode, False, _count(conn), {str(r): int(n) for r, n in rows})


def add_query(conn: sa.Connection, scope: NightScope, name: str, params: Mapping[str, Any], reason: str) -> NightScope:
    """Add the entities ``sql/<name>.sql`` returns (a column ``uscc``) to a materialised scope."""
    if scope.everything:
        return scope
    before = scope.entities
    conn.execute(sa.text(sqlfiles.text_of("night/scope_add_query").format(
        query=sqlfiles.text_of(name).rstrip().rstrip(";"))), dict(params))
    n = _count(conn)
    return replace(scope, entities=n, reasons={**scope.reasons, reason: n - before})


def restrict_to_region(conn: sa.Connection, scope: NightScope, prefix: str) -> NightScope:
    """``scope`` ∩ the entities whose division code (USCC characters 3–8) starts with ``prefix``.

    A full scope becomes every entity the store knows with that prefix: registered, or named by a
    roster decision, an application or a penalty (an entity may be penalised before it is
    registered here). The result is never "everything": the SQL filters on ``night_scope``.
    """
    if not prefix.isdigit() or not 1 <= len(prefix) <= 6:
        raise ValueError(f"region prefix must be 1 to 6 digits of a GB/T 2260 code, not {prefix!r}")
    params = {"p": prefix, "k": len(prefix)}
    if scope.everything:
        _create(conn)
        conn.execute(sqlfiles.statement("night/scope_region_all"), params)
    else:
        conn.execute(sqlfiles.statement("night/scope_region_keep"), params)
    n = _count(conn)
    return NightScope(scope.mode if not scope.everything else "region", False, n,
                      scope.reasons if not scope.everything else {}, prefix)


# -- reading through the scope ----------------------------------------------------------------------

#: The bind parameter that carries the scope's USCCs into a scoped statement (:func:`scoped_sql`).
SCOPE_PARAM = "scope_usccs"
#: The rosters' whole-log fold (migration 0002) as the roster SQL files write it.
_FOLD = re.compile(r"roster_entry_detail_as_of\((:\w+)\)")


def scoped_sql(sql: str, key: str = "uscc") -> str:
    """``sql`` (one select) restricted to the scope's entities by its column ``key``.

    The scope comes as the array bound to :data:`SCOPE_PARAM` (the rows of ``night_scope``,
    :func:`frame`): a restriction on ``key`` that the planner pushes into the query down to the
    tables the column comes from (an index probe per entity, or a hashed filter), where a
    semi-join on ``night_scope`` left on top of the query was planned as a hash join over whole
    tables. The array is a bound value, so the planner knows its length. The query's folds of the
    whole log, ``roster_entry_detail_as_of(:d)``, become the fold of the scope's entities,
    ``roster_entry_detail_of(us, :d)`` (migration 0015: their inclusions through
    ``roster_decisions(uscc, seq)``, corrections and closes through ``roster_decisions(entry_id)``):
    the same rows for those entities, since every roster query relates an entry to its own
    entity's row by uscc. So the rule stays written once, in its file, and a scoped night costs
    its entities' rows, not the log's."""
    lines = sql.rstrip().splitlines()
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith("--")):
        lines.pop()   # trailing comments would swallow the closing parenthesis
    body = "\n".join(lines).rstrip().rstrip(";")
    usccs = f"cast(:{SCOPE_PARAM} as text[])"
    body = _FOLD.sub(rf"roster_entry_detail_of({usccs}, \1)", body)
    return sqlfiles.fragment("night/scope_wrapped").format(body=body, key=key, usccs=usccs)


class ScopeArray(tuple[str, ...]):
    """The scope's USCCs as the ``text[]`` bound to :data:`SCOPE_PARAM`, written out once.

    psycopg writes a list parameter element by element in Python (``ListDumper``), again for every
    statement it is bound to: an incremental night at 1 M binds its 7,824 USCCs to every candidate
    query of the rosters, every round of the serious-list procedures and the penalty windows, and
    the writing was 0.43 s of the rosters stage's 4.75 s (py-spy, /work/bench/p33/a.raw: 9 % of the
    stage). This tuple carries its array literal, which :class:`_ScopeArrayDumper` hands to the
    driver as it is: the same ``text[]`` value, so the same statements and plans."""

    literal: bytes

    def __new__(cls, values: Iterable[str]) -> ScopeArray:
        self = super().__new__(cls, values)
        quoted = ('"' + u.replace("\\", "\\\\").replace('"', '\\"') + '"' for u in self)
        self.literal = ("{" + ",".join(quoted) + "}").encode()
        return self


class _ScopeArrayDumper(Dumper):
    """Writes a :class:`ScopeArray` as its ready ``text[]`` literal (text format)."""

    oid = psycopg.postgres.types["text"].array_oid

    def dump(self, obj: ScopeArray) -> bytes:
        return obj.literal


def register_scope_array(conn: sa.Connection) -> bool:
    """:class:`ScopeArray`'s dumper on ``conn``'s driver connection (idempotent; a dict entry).
    False when the driver is not psycopg 3, which cannot take it (:func:`bound` then binds a list)."""
    driver = conn.connection.driver_connection
    if not isinstance(driver, psycopg.Connection):
        return False
    driver.adapters.register_dumper(ScopeArray, _ScopeArrayDumper)
    return True


def _scope_array(conn: sa.Connection, scope: NightScope) -> ScopeArray:
    cached = conn.info.get(_USCCS)
    if cached is not None and cached[0] is scope:
        array: ScopeArray = cached[1]
    else:
        array = ScopeArray(str(u) for u in conn.execute(sqlfiles.statement("night/scope_usccs")).scalars())
        conn.info[_USCCS] = (scope, array)
    return array


def usccs(conn: sa.Connection, scope: NightScope | None) -> list[str] | None:
    """The scope's USCCs in order; None when ``scope`` filters nothing (none, or a full night).

    Read once per scope and connection: ``night_scope`` changes only through the functions above,
    each of which returns a new :class:`NightScope` (the cache holds the object it was read for)."""
    if not is_scoped(scope):
        return None
    assert scope is not None
    return list(_scope_array(conn, scope))


def bound(conn: sa.Connection, scope: NightScope | None) -> ScopeArray | list[str] | None:
    """The scope's USCCs as the value to bind (:data:`SCOPE_PARAM`, or a query's own array of the
    scope's entities): :func:`usccs` as a :class:`ScopeArray`, written out once per scope and
    connection (a plain list on a driver other than psycopg 3). None when ``scope`` filters nothing."""
    if not is_scoped(scope):
        return None
    assert scope is not None
    array = _scope_array(conn, scope)
    return array if register_scope_array(conn) else list(array)


def frame(conn: sa.Connection, name: str, params: Mapping[str, Any], scope: NightScope | None,
          key: str = "uscc") -> pd.DataFrame:
    """:func:`credit.sqlfiles.frame` of ``sql/<name>.sql`` with only the scope's entities.

    Without a scope (or a full one) this *is* ``sqlfiles.frame``: a full night runs exactly the
    statements it always ran. Callers that need an order sort the frame themselves.
    """
    if not is_scoped(scope):
        return sqlfiles.frame(conn, name, params)
    return sqlfiles.rows_frame(conn.execute(sa.text(scoped_sql(sqlfiles.text_of(name), key)),
                                            {**params, SCOPE_PARAM: bound(conn, scope)}))


@contextmanager
def serial(conn: sa.Connection, scope: NightScope | None) -> Iterator[None]:
    """A scoped night's statements inside planned without parallel workers
    (``max_parallel_workers_per_gather`` 0 for them; the setting is restored after). A full night's
    plans are not touched.

    Causes 2–4 (``sql/rosters/fact_inclusions.sql``) bound to night 2's 7,824 USCCs at 1 M: the
    planner estimates 6,984 findings for ``uscc = any(scope)`` (there are 259) and gathers two
    workers over the union of findings and spot checks. Their start, on the night's two cores, was
    the statement: EXPLAIN ANALYZE showed the Gather's first row at 126–143 ms for 28–62 ms of the
    workers' work (at either ``random_page_cost``, 4 or 1.1, so grading's
    :func:`credit.grading.night.scoped_costs` does not help it). The statement executed and fetched
    in the night's transaction, best of 3 interleaved: 238 ms with workers, 64 ms without (302
    rows either way). The only scoped candidate statement of the rosters planned parallel."""
    with local_setting(conn, "max_parallel_workers_per_gather", "0", is_scoped(scope)):
        yield


def records(conn: sa.Connection, name: str, params: Mapping[str, Any], scope: NightScope | None,
            key: str = "uscc") -> list[dict[str, Any]]:
    """:func:`frame`'s rows as dicts of the driver's values (NULL as None), without a frame
    (:func:`credit.sqlfiles.dict_rows`): for a caller that goes through the rows one by one
    (:func:`credit.rosters.serious.read_cases`)."""
    if is_scoped(scope):
        return sqlfiles.dict_rows(conn, sa.text(scoped_sql(sqlfiles.text_of(name), key)),
                                  {**params, SCOPE_PARAM: bound(conn, scope)})
    return sqlfiles.dict_rows(conn, sqlfiles.statement(name), params)


def frames(conn: sa.Connection, name: str, params: Mapping[str, Any], scope: NightScope | None,
           rows: int, key: str = "uscc") -> Iterator[pd.DataFrame]:
    """:func:`frame`'s rows, ``rows`` at a time, from a server-side cursor: a query whose result
    grows with the province (cause 1 on a first night: one row per entity and year owed) never
    sits in the client whole (issue 11). Planned for its whole result, as :func:`frame`'s is
    (``cursor_tuple_fraction`` 1: a cursor is otherwise planned for its first tenth, with nested
    loops where a full night wants hash joins). The cursor lives in the caller's transaction;
    other statements may run between two chunks."""
    if is_scoped(scope):
        stmt, values = sa.text(scoped_sql(sqlfiles.text_of(name), key)), {**params, SCOPE_PARAM: bound(conn, scope)}
    else:
        stmt, values = sqlfiles.statement(name), dict(params)
    before = conn.exec_driver_sql(sqlfiles.text_of("night/cursor_fraction")).scalar_one()
    conn.exec_driver_sql(sqlfiles.text_of("night/cursor_fraction_whole"))
    res = conn.execute(stmt, values, execution_options={"stream_results": True, "max_row_buffer": rows})
    try:
        columns = list(res.keys())
        for part in res.partitions(rows):
            yield pd.DataFrame([tuple(r) for r in part], columns=columns)
    finally:
        res.close()
        conn.execute(sqlfiles.statement("night/cursor_fraction_set"), {"v": before})


# -- the scope of a night ------------------------------------------------------------------------------

#: Configuration files whose dates change decisions or grades for everyone on the day (rule
#: versions in force from a date, switches, first years); calendar.yaml is not among them: its
#: holidays only move the dates of pending items, and pending items are in every night's scope.
DATED_CONFIGS = ("rules", "rosters", "grading", "publicity")


def keep(df: pd.DataFrame, conn: sa.Connection, scope: NightScope | None, key: str = "uscc") -> pd.DataFrame:
    """The rows of ``df`` whose ``key`` is in the scope (for frames built in Python, e.g. the region
    partitions' staged results, :mod:`credit.night.partitions`)."""
    if not is_scoped(scope) or df.empty:
        return df
    inside = set(conn.execute(sqlfiles.statement("night/scope_among"),
                              {"u": sorted(set(df[key].dropna().astype(str)))}).scalars())
    return df[df[key].isin(inside)]


def dates_in(value: object) -> Iterable[date]:
    """Every date written in a configuration document (YAML dates and ISO date strings)."""
    if isinstance(value, date):
        yield value
    elif isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            yield date.fromisoformat(value)
        except ValueError:
            return
    elif isinstance(value, dict):
        for v in value.values():
            yield from dates_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from dates_in(v)


def global_events(conn: sa.Connection, night: date, prev: date, settings: Settings, config_version: str,
                  merges: list[MergeRecord]) -> list[str]:
    """What changes tonight for every entity at once — any one makes the night full.

    A new year; the annual-report filing period ending (30 June, or the working day it rolls to
    when a rest day: one date, :func:`credit.annual_reports.filing_period_end`, for the rosters'
    cause 1, decided from the day after, and for the grading's deadline; domain.md §2, §12 — each
    side compared on its own years, since the grading looks back a window of years and leaves out
    a year the calendar cannot date, which the rosters may take provisionally,
    :func:`credit.annual_reports.ended_before`); a date of the configuration reached (a
    rule version, a switch); a configuration changed since the previous night (rules, calendar,
    grading…); a source kept without history loaded in full mode that dropped rows (which
    entities lost a row is no longer known).
    """
    from credit.calendar import working_calendar
    from credit.config import load_config
    from credit.grading.indicators import report_deadlines
    from credit.rosters.env import RosterEnv

    events: list[str] = []
    if night.year != prev.year:
        events.append("year_change")
    env = RosterEnv.load(settings)
    if env.annual_report_period_ends(night)[0] != env.annual_report_period_ends(prev)[0]:
        events.append("annual_report_deadline:rosters")
    grading = load_config("grading", settings)
    years = int(grading["windows"]["annual_report_years"])
    cal = working_calendar(settings)
    if report_deadlines(night, years, cal)[0] != report_deadlines(prev, years, cal)[0]:
        events.append("annual_report_deadline:grading")
    for name in DATED_CONFIGS:
        doc = load_config(name, settings)
        if any(prev < d <= night for d in dates_in(doc.data)):
            events.append(f"configured_date:{name}")
    before = conn.execute(sqlfiles.statement("night/config_version_of"), {"p": prev}).scalar()
    if before != config_version:
        # the configuration files, or only the code's results revision (an upgrade that derives
        # results otherwise, credit.night.steps.RESULTS_REVISION)?
        files = [";".join(p for p in str(v or "").split(";") if not p.startswith("results@"))
                 for v in (before, config_version)]
        events.append("config_changed" if files[0] != files[1] else "results_revision")
    from credit.contract.sources import SOURCES
    for m in merges:
        source = SOURCES.get(m["source"])
        if source is not None and not source.history and m["dropped"]:
            events.append(f"dropped_without_history:{m['source']}")
    return events


def incremental(conn: sa.Connection, night: date, prev: date, settings: Settings) -> NightScope:
    """The scope of an incremental night: inputs changed tonight, the log and officers since the
    previous night, what time alone changes tonight (``sql/night/scope_incremental.sql``), then
    the entities related to those through their legal representative (``scope_relatives.sql``)."""
    from credit.config import load_config
    from credit.grading.indicators import social_window_end, social_window_start, tax_window_start
    from credit.rosters.env import RosterEnv

    windows = load_config("grading", settings)["windows"]
    # tax and social security: the first year and month graded (none without the window: no move)
    tax_years, social_months = windows.get("tax_years"), windows.get("social_security_months")
    tax_from = [tax_window_start(d, None if tax_years is None else int(tax_years)) for d in (prev, night)]
    social_from = [social_window_start(d, None if social_months is None else int(social_months)) for d in (prev, night)]
    env = RosterEnv.load(settings)
    prev_seq = conn.execute(sqlfiles.statement("night/anchor_seq_by"),
                            {"p": prev}).scalar_one()
    escalation = "ser.escalate.abnormal_3_years" in env.rules.rules and \
        env.rules.enabled("ser.escalate.abnormal_3_years", night)
    scope = of_query(conn, "night/scope_incremental", {
        "night": night, "prev": prev, "prev_seq": int(prev_seq),
        "finding_years": int(windows["finding_years"]), "inspection_years": int(windows["inspection_years"]),
        "bank_window": (night.year, night.month) != (prev.year, prev.month), "escalation": escalation,
        "tax_window": tax_from[0] != tax_from[1], "tax_from_prev": tax_from[0], "tax_from": tax_from[1],
        "social_from_prev": social_from[0], "social_from": social_from[1],
        "month_prev": social_window_end(prev), "month": social_window_end(night),
    })
    prev_graded = conn.execute(sqlfiles.statement("grading/graded_before"), {"n": night}).scalar()
    return add_query(conn, scope, "night/scope_relatives", {"prev_graded": prev_graded}, "relatives:legal_rep")


def for_night(conn: sa.Connection, night: date, settings: Settings, *, merges: list[MergeRecord],
              full: bool = False, config_version: str) -> NightScope:
    """The scope of tonight's night, inside the publishing transaction after the store's merge.

    Full (every entity) when forced (``credit nightly --full``), on the first night, and on a night
    with a global event (:func:`global_events`); otherwise :func:`incremental`. The reasons of a
    full night say why it is full.
    """
    prev = conn.execute(sqlfiles.statement("night/published_before"), {"n": night}).scalar()
    why = ["forced"] if full else ["first_night"] if prev is None else \
        global_events(conn, night, prev, settings, config_version, merges)
    if why:
        scope = everything(conn)
        return replace(scope, reasons={w: scope.entities for w in why})
    assert prev is not None
    return incremental(conn, night, prev, settings)
