"""The Great Expectations suites of the sources (数据质量规则) and the context that runs them.

Each source's row rules are a Great Expectations 1.x suite kept as JSON under ``expectations/``
(``<source>.json``), written from the contract (contracts.md §1, :func:`contract_expectations`,
:func:`write_suite`) and read once a process (:func:`load_suite`). The one ephemeral context and
its batch definition (:func:`batch_definition`) are made once, with the memoising of GX's own
slow steps (type names, configurations, metric ids) that leaves every result as GX gives it.
Normalising is :mod:`credit.night.normalise`; checking a file's rows, :mod:`credit.night.quality`.
"""

from __future__ import annotations

import json
import os
import re
import threading
from functools import lru_cache, wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any

from credit.contract import uscc as uscc_rules
from credit.contract.sources import Source
from credit.logs import quiet_great_expectations
from credit.night.quarantine import reason

if TYPE_CHECKING:  # Great Expectations is imported only when a file is checked (it is slow to import)
    from great_expectations import ExpectationSuite
    from great_expectations.core.batch_definition import BatchDefinition
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

quiet_great_expectations()

# Non-capturing groups only: GX matches with pandas' str.contains, which warns about capture groups.
# Digits are [0-9], never \d: Python's \d also matches Arabic-Indic and other Unicode digits, which
# NFKC leaves as they are and PostgreSQL cannot read as a number or a date (a row of them stopped
# the night's staging); and pandas checks \d row by row in Python over a column holding any
# non-ASCII text, [0-9] with Arrow's kernel (issue 11: half the annual reports' ingest).
PATTERNS: dict[str, str] = {
    "uscc": uscc_rules.SHAPE,
    "date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    "timestamp": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?)?$",
    "int": r"^-?[0-9]{1,15}$",
    "money": r"^[0-9]{1,16}(?:\.[0-9]{1,2})?$",
    "month": r"^[0-9]{4}-(?:0[1-9]|1[0-2])$",
}
NEGATIVE = r"^-"


def _list_regex(values: tuple[str, ...]) -> str:
    alt = "|".join(re.escape(v) for v in values)
    return rf"^(?:{alt})(?:;(?:{alt}))*$"


def contract_expectations(source: Source) -> list[dict[str, Any]]:
    """The expectations that state contracts.md §1 for one source, as suite JSON entries."""
    out: list[dict[str, Any]] = []

    def add(kind: str, meta: dict[str, Any], **kwargs: Any) -> None:
        out.append({"type": kind, "kwargs": kwargs, "meta": meta})

    for key in source.key:
        add("expect_column_proportion_of_non_null_values_to_be_between",
            {"critical": True, "reason": reason("key_mostly_empty", column=key)}, column=key, min_value=0.9)
    for c in source.columns:
        if c.required:
            add("expect_column_values_to_not_be_null", {"reason": reason("required", column=c.name)}, column=c.name)
        if c.kind in PATTERNS:
            add("expect_column_values_to_match_regex", {"reason": reason(c.kind, column=c.name)},
                column=c.name, regex=PATTERNS[c.kind])
            if c.kind == "int" and c.non_negative:
                # Its own expectation type: a suite keeps one expectation per type and column, so a
                # second regex replaced the whole-number one and "abc" was held as "negative".
                add("expect_column_values_to_not_match_regex", {"reason": reason("non_negative", column=c.name)},
                    column=c.name, regex=NEGATIVE)
        elif c.kind == "code" and c.pattern:
            add("expect_column_values_to_match_regex", {"reason": reason("code", column=c.name, pattern=c.pattern)},
                column=c.name, regex=c.pattern)
        elif c.kind == "enum":
            add("expect_column_values_to_be_in_set",
                {"reason": reason("enum", column=c.name, values="/".join(c.values))},
                column=c.name, value_set=list(c.values))
        elif c.kind == "bool":
            add("expect_column_values_to_be_in_set", {"reason": reason("bool", column=c.name)},
                column=c.name, value_set=["true", "false"])
        elif c.kind == "list" and c.values:
            add("expect_column_values_to_match_regex", {"reason": reason("list", column=c.name)},
                column=c.name, regex=_list_regex(c.values))
        if c.max_length:
            add("expect_column_value_lengths_to_be_between",
                {"reason": reason("max_length", column=c.name, max_length=c.max_length)},
                column=c.name, min_value=1, max_value=c.max_length)
    return out


def write_suite(source: Source, folder: Path) -> Path:
    """Write the contract suite of ``source`` as GX 1.x JSON (run when the contract changes)."""
    import great_expectations as gx

    suite = gx.ExpectationSuite(name=source.name, expectations=[])
    for e in contract_expectations(source):
        suite.add_expectation_configuration(_configuration(e))
    doc: dict[str, Any] = dict(suite.to_json_dict())
    doc.pop("id", None)
    for e in doc["expectations"]:
        e.pop("id", None)
    doc["meta"] = {"contract": "contracts.md §1", "source": source.name, "label": source.label}
    path = folder / f"{source.name}.json"
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _configuration(entry: dict[str, Any]) -> ExpectationConfiguration:
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration
    from great_expectations.expectations.metadata_types import FailureSeverity

    # GX severity mirrors our meaning: critical judges the file, warning holds back single rows.
    critical = bool((entry.get("meta") or {}).get("critical"))
    return ExpectationConfiguration(type=entry["type"], kwargs=entry["kwargs"], meta=entry.get("meta"),
                                    severity=FailureSeverity.CRITICAL if critical else FailureSeverity.WARNING)


_warming: list[threading.Thread] = []


def warm_up() -> None:
    """Start importing Great Expectations in a background thread (issue 11).

    Importing it costs 2.5 s on a quiet machine and 10 s on a busy one (it imports scipy and
    altair for expectations the suites never use), whatever the file: it was the "fixed cost" of
    ``annual_reports``, the first file of a night alphabetically. Started when a night opens (or
    an ingest task starts), the import overlaps the manifest's checksums and the first chunk's
    reading, which release the interpreter lock; the first validation waits for it (the import
    lock) if it is not done.
    """
    if not _warming:
        t = threading.Thread(target=batch_definition, name="gx-import", daemon=True)
        _warming.append(t)
        t.start()


def wait_for_warm_up() -> None:
    """Wait for the thread of :func:`warm_up`, when one was started: there is one Great
    Expectations context, made by the warm-up when it ran."""
    for t in _warming:
        t.join()


def skip_batch_fingerprint() -> None:
    """Great Expectations' pandas engine fingerprints every batch it is given: an MD5 over
    ``pd.util.hash_pandas_object`` of the whole frame, kept as a batch marker, for any frame whose
    shallow ``memory_usage()`` is under its module's ``HASH_THRESHOLD`` (1e9 bytes; an Arrow-backed
    chunk of 100,000 rows always is). Nothing of ours reads the marker, and hashing every chunk
    of every file again was 7 % of a first night's Python time (issue 11, py-spy at 200 k). A
    threshold of 0 turns the fingerprint off; validation itself is unchanged. The attribute is
    checked, so an upgrade of Great Expectations that renames it fails here, not silently."""
    from great_expectations.execution_engine import pandas_execution_engine as engine

    if not hasattr(engine, "HASH_THRESHOLD"):
        raise RuntimeError("great_expectations' pandas engine has no HASH_THRESHOLD: see skip_batch_fingerprint")
    engine.HASH_THRESHOLD = 0


def memoise_type_names() -> None:
    """Great Expectations names an expectation's type from its class name each time it builds the
    expectation's configuration (``Expectation.configuration``: ``camel_to_snake`` of the class
    name, two ``re.sub`` with group templates), and a validation builds it about 120 times per
    expectation while it plans the metrics: 2,054 calls per chunk of ``registration`` (17
    expectations), 1,354 of ``annual_reports``, 1,094 of ``tax``, at 10–13 µs of CPU each on the
    helpers' machine: 12–22 ms of a chunk's 150–260 ms (issue 11, 50,000-row chunks of the 1 M
    drop). The names are a pure function of a handful of class names, so the module's function is
    wrapped in a cache; what it returns, and so every configuration and result, is unchanged. The
    attribute is checked, so an upgrade that renames it fails here, not silently."""
    from great_expectations.expectations import expectation

    if not hasattr(expectation, "camel_to_snake"):
        raise RuntimeError("great_expectations' expectation module has no camel_to_snake: see memoise_type_names")
    if not hasattr(expectation.camel_to_snake, "cache_info"):
        expectation.camel_to_snake = lru_cache(maxsize=256)(expectation.camel_to_snake)


_kept = threading.local()   # per thread: the configurations built during one graph_validate call


def keep_configurations() -> None:
    """Great Expectations builds an expectation's configuration again each time it reads it
    (``Expectation.configuration``, a property: a pydantic ``dict()`` of the expectation and a new
    ``ExpectationConfiguration``), and a validation reads it about 120 times per expectation
    while it plans the metrics: 2,053 builds per chunk of ``registration``, a quarter of a
    10-row chunk's CPU under cProfile (issue 11). Here an expectation object's configuration is
    built once and handed out again, but only while Great Expectations' ``graph_validate`` runs
    (the scope of one validation, per thread) and only to the object that built it.

    Why nothing can tell: every expectation object read inside ``graph_validate`` is made there,
    from a configuration, by ``to_domain_obj`` (one per expectation to plan it, one per metric
    in ``get_metric_kwargs``, one per expectation to judge it), and dropped when it returns;
    nothing there assigns to such an object, and its configuration's readers (the success,
    domain and runtime kwargs, ``get_metric_kwargs``, the result format) only read it; the last
    one (``_build_evr``) puts it in the expectation's result, where the uncached property's last
    build went. The suite's own expectations are read before the scope (``expectation_
    configurations``), whose configurations GX then changes in place (suite parameters): they are
    never kept. Outside the scope the property is GX's own. The results, every count, percentage,
    observed value and unexpected index, are the same (tests/unit/night/test_gx_configurations.py).
    Measured on chunks of the 1 M drop's first night (process_time of one validate, median of
    20, interleaved with GX's own property in one process, two runs): 10-row chunks 1.25-1.37×
    (registration 198 → 158 ms), 75,000-row chunks 1.01-1.35×. The attributes are checked, so an upgrade of Great Expectations that renames them
    fails here, not silently."""
    from great_expectations.expectations.expectation import Expectation
    from great_expectations.validator.validator import Validator

    built = Expectation.__dict__.get("configuration")
    if not isinstance(built, property) or built.fget is None or not hasattr(Validator, "graph_validate"):
        raise RuntimeError("great_expectations has no Expectation.configuration property or "
                           "Validator.graph_validate: see keep_configurations")
    if getattr(built.fget, "keeps_configurations", False):
        return
    build = built.fget

    def configuration(self: Expectation) -> ExpectationConfiguration:
        kept: dict[int, tuple[Expectation, ExpectationConfiguration]] | None = getattr(_kept, "configurations", None)
        if kept is None:
            return build(self)   # type: ignore[no-any-return]
        hit = kept.get(id(self))
        if hit is None:   # the object itself is kept too: its id is not reused while the scope lasts
            hit = kept[id(self)] = (self, build(self))
        return hit[1]

    configuration.keeps_configurations = True   # type: ignore[attr-defined]
    validate = Validator.graph_validate

    @wraps(validate)
    def graph_validate(self: Validator, *args: Any, **kwargs: Any) -> Any:
        outer = getattr(_kept, "configurations", None)
        _kept.configurations = {} if outer is None else outer
        try:
            return validate(self, *args, **kwargs)
        finally:
            _kept.configurations = outer

    Expectation.configuration = property(configuration)   # type: ignore[method-assign,assignment]
    Validator.graph_validate = graph_validate   # type: ignore[method-assign]


class _Unplain(Exception):
    """A value :func:`_plain_key` does not freeze: its metric id is computed as GX computes it."""


def _plain_key(value: Any) -> Any:
    """A hashable image of ``value`` that equals another's only when both are the same JSON: exact
    ``str``, ``int``, ``bool`` and ``None``, and ``list``, ``tuple`` and ``dict`` of them, with
    each type in the key (``True`` is not ``1``, a ``str`` subclass such as an enum is not its
    text). Anything else (a float: ``-0.0 == 0.0``; numpy; a dict subclass) raises
    :class:`_Unplain`."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return kind, value
    if kind is list or kind is tuple:
        items = tuple(value)
        if all(type(v) is str for v in items):   # a value set: its texts bare (a frozen item is a tuple, never a str)
            return kind, items
        return kind, tuple(_plain_key(v) for v in items)
    if kind is dict:
        return kind, tuple((_plain_key(k), _plain_key(v)) for k, v in value.items())
    raise _Unplain


_metric_ids: dict[Any, Any] = {}
_METRIC_IDS_KEPT = 4096   # a night's suites name a few hundred distinct metric kwargs


def memoise_metric_ids() -> None:
    """Great Expectations names each metric it plans by an MD5 of its domain and value kwargs
    (``IDDict.to_id``: ``convert_to_json_serializable``, which tries numpy, pydantic, dates and
    more on every value, then ``json.dumps``), and plans every metric again on every validation:
    1,778 ids per chunk of ``registration``, 3.5 of a 12.8 s cProfile over ten 10-row chunks once
    the configurations were kept (issue 11). The kwargs are column names, the batch id, regexes,
    value sets and the result format, the same on every chunk, so an id is kept by the kwargs'
    exact content (:func:`_plain_key`, recomputed on every call: a dict changed since is another
    key) and computed by GX's own method on a miss; kwargs holding anything else are never kept.
    An id is a pure function of that content (sorted JSON), so every id, metric and result is
    unchanged. With the kept configurations, per validate (same measure as there): 10-row
    chunks 1.21-1.60× more (together with them 1.66-2.00×: registration 198-252 → 112-126 ms,
    annual_reports 134 → 75-77, tax 100-119 → 54-72), 75,000-row chunks 1.15-1.85× more
    (together 1.18-1.93×). The method is checked, so an upgrade of Great Expectations that renames it fails
    here, not silently."""
    from great_expectations.core.id_dict import IDDict

    own = IDDict.__dict__.get("to_id")
    if own is None:
        raise RuntimeError("great_expectations' IDDict has no to_id: see memoise_metric_ids")
    if getattr(own, "memoised", False):
        return

    def to_id(self: IDDict, id_keys: Any = None, id_ignore_keys: Any = None) -> Any:
        if id_keys is not None or id_ignore_keys is not None:
            return own(self, id_keys, id_ignore_keys)
        try:
            key = (type(self), frozenset(self._id_ignore_keys), _plain_key(dict(self)))
        except (_Unplain, TypeError):
            return own(self)
        hit = _metric_ids.get(key)
        if hit is None:
            if len(_metric_ids) >= _METRIC_IDS_KEPT:
                _metric_ids.clear()
            hit = _metric_ids[key] = own(self)
        return hit

    to_id.memoised = True   # type: ignore[attr-defined]
    IDDict.to_id = to_id   # type: ignore[method-assign]


def column_domain_records() -> None:
    """Great Expectations' pandas engine gives a column's metric the whole batch as its domain
    (``get_domain_records``: every column of the chunk), and the metric then takes rows of it by a
    boolean mask: the column's non-null rows before each map condition, and the unexpected rows
    for their index list, several times per expectation. Each such take copies every column of
    the chunk (an Arrow ``take`` per column), where the metric reads one: on the 200 k drop's
    ``registration`` (13 columns) the takes were 0.47 s of the file's 4.0 s of client CPU
    (cProfile, issue 11 stop 41). Here a domain that names one ``column`` (and no column pair or
    list) is that column alone, as a one-column frame with the batch's index, after GX's own
    filtering (a ``row_condition`` is still applied to the whole batch first); any other domain,
    and a column the batch does not hold (GX's own error), is GX's own. What a column metric can
    read of its domain is the column and the index (the unexpected index list is the index's
    values: ``unexpected_index_column_names`` would read other columns, and the suites' result
    format never names any); so every count, percentage, observed value and unexpected index is
    the same (tests/unit/night/test_gx_column_domain.py). The method is checked, so an upgrade of
    Great Expectations that renames it fails here, not silently."""
    from great_expectations.execution_engine.pandas_execution_engine import PandasExecutionEngine

    own = PandasExecutionEngine.__dict__.get("get_domain_records")
    if own is None:
        raise RuntimeError("great_expectations' pandas engine has no get_domain_records: see column_domain_records")
    if getattr(own, "one_column", False):
        return

    @wraps(own)
    def get_domain_records(self: PandasExecutionEngine, domain_kwargs: dict[str, Any]) -> Any:
        data = own(self, domain_kwargs)
        column = domain_kwargs.get("column")
        if (type(column) is str and "column_A" not in domain_kwargs and "column_list" not in domain_kwargs
                and data.columns.is_unique and column in data.columns):
            return data[column].to_frame()
        return data

    get_domain_records.one_column = True   # type: ignore[attr-defined]
    PandasExecutionEngine.get_domain_records = get_domain_records   # type: ignore[method-assign]


@lru_cache(maxsize=1)
def batch_definition() -> BatchDefinition[None]:
    """The night's one Great Expectations context and pandas batch definition (made once a process)."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    quiet_great_expectations()   # after the import: some of its modules set their loggers to INFO
    skip_batch_fingerprint()
    memoise_type_names()
    keep_configurations()
    memoise_metric_ids()
    column_domain_records()
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    return ctx.data_sources.add_pandas("drop").add_dataframe_asset("frame").add_batch_definition_whole_dataframe("whole")


@lru_cache(maxsize=32)
def load_suite(path: str) -> ExpectationSuite:
    import great_expectations as gx

    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    return gx.ExpectationSuite(**doc)
