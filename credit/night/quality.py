"""Quality (数据质量): normalise what is unambiguous, validate with Great Expectations, quarantine the rest.

Each source's row rules are a Great Expectations 1.x suite kept as JSON under ``expectations/``
(``<source>.json``). An expectation's ``meta.reason`` is the sentence a clerk reads in the
quarantine; an expectation with ``meta.critical`` true (GX severity ``critical``) judges the whole
file and stops the night; the others (severity ``warning``) hold back single rows.
Rules that Great Expectations cannot state over one column (the USCC check digit, dates that do
not exist, dates after the night, duplicated keys) are applied here, vectorised, with their own
rule names. Every input row ends either accepted or quarantined — never both, never neither.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from credit.contract import uscc as uscc_rules
from credit.contract.sources import Column, Source

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

ROW_OFFSET = 2  # physical line of row 0: the header is line 1

# Non-capturing groups only: GX matches with pandas' str.contains, which warns about capture groups.
PATTERNS: dict[str, str] = {
    "uscc": uscc_rules.SHAPE,
    "date": r"^\d{4}-\d{2}-\d{2}$",
    "timestamp": r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?$",
    "int": r"^-?\d{1,15}$",
    "money": r"^\d{1,16}(?:\.\d{1,2})?$",
    "month": r"^\d{4}-(?:0[1-9]|1[0-2])$",
}
REASONS: dict[str, str] = {
    "uscc": "统一社会信用代码格式不正确 (USCC is not 18 characters of the code alphabet)",
    "date": "日期格式不正确，应为 YYYY-MM-DD (date is not YYYY-MM-DD)",
    "timestamp": "时间格式不正确 (timestamp is not ISO)",
    "int": "不是整数 (not a whole number)",
    "money": "金额格式不正确，应为不超过两位小数的非负数 (amount is not a number with up to 2 decimals)",
    "month": "所属期格式不正确，应为 YYYY-MM (period is not YYYY-MM)",
}
BOOL_TEXT = {"true": "true", "false": "false", "1": "true", "0": "false", "是": "true", "否": "false",
             "t": "true", "f": "false", "yes": "true", "no": "false", "y": "true", "n": "false"}


# --------------------------------------------------------------------------------------------
# The suites
# --------------------------------------------------------------------------------------------
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
            {"critical": True, "reason": f"超过一成的行缺少主键 {key}，文件疑似损坏 (key column mostly empty)"},
            column=key, min_value=0.9)
    for c in source.columns:
        if c.required:
            add("expect_column_values_to_not_be_null",
                {"reason": f"必填项 {c.name} 为空 (required value missing)"}, column=c.name)
        if c.kind in PATTERNS:
            add("expect_column_values_to_match_regex",
                {"reason": f"{c.name}：{REASONS[c.kind]}"}, column=c.name, regex=PATTERNS[c.kind])
        elif c.kind == "code" and c.pattern:
            add("expect_column_values_to_match_regex",
                {"reason": f"{c.name}：代码格式不正确 (code does not match {c.pattern})"},
                column=c.name, regex=c.pattern)
        elif c.kind == "enum":
            add("expect_column_values_to_be_in_set",
                {"reason": f"{c.name}：取值不在规定范围内 {'/'.join(c.values)} (value not allowed)"},
                column=c.name, value_set=list(c.values))
        elif c.kind == "bool":
            add("expect_column_values_to_be_in_set",
                {"reason": f"{c.name}：应为 true 或 false (not a boolean)"},
                column=c.name, value_set=["true", "false"])
        elif c.kind == "list" and c.values:
            add("expect_column_values_to_match_regex",
                {"reason": f"{c.name}：含有不在规定范围内的项目 (an item is not allowed)"},
                column=c.name, regex=_list_regex(c.values))
        if c.max_length:
            add("expect_column_value_lengths_to_be_between",
                {"reason": f"{c.name}：长度超过 {c.max_length} 字 (too long)"},
                column=c.name, min_value=1, max_value=c.max_length)
    return out


def write_suite(source: Source, folder: Path) -> Path:
    """Write the contract suite of ``source`` as GX 1.x JSON (run when the contract changes)."""
    import great_expectations as gx

    suite = gx.ExpectationSuite(name=source.name, expectations=[])
    for e in contract_expectations(source):
        suite.add_expectation_configuration(_configuration(e))
    doc = suite.to_json_dict()
    doc.pop("id", None)
    for e in doc["expectations"]:
        e.pop("id", None)
    doc["meta"] = {"contract": "contracts.md §1", "source": source.name, "label": source.label}
    path = folder / f"{source.name}.json"
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _configuration(entry: dict[str, Any]):  # type: ignore[no-untyped-def]
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration
    from great_expectations.expectations.metadata_types import FailureSeverity

    # GX severity mirrors our meaning: critical judges the file, warning holds back single rows.
    critical = bool((entry.get("meta") or {}).get("critical"))
    return ExpectationConfiguration(type=entry["type"], kwargs=entry["kwargs"], meta=entry.get("meta"),
                                    severity=FailureSeverity.CRITICAL if critical else FailureSeverity.WARNING)


@lru_cache(maxsize=1)
def _gx_context():  # type: ignore[no-untyped-def]
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch_definition = (ctx.data_sources.add_pandas("drop")
                        .add_dataframe_asset("frame").add_batch_definition_whole_dataframe("whole"))
    return ctx, batch_definition


@lru_cache(maxsize=32)
def load_suite(path: str):  # type: ignore[no-untyped-def]
    import great_expectations as gx

    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    return gx.ExpectationSuite(**doc)


# --------------------------------------------------------------------------------------------
# Normalising
# --------------------------------------------------------------------------------------------
ARROW_STRING = pd.StringDtype("pyarrow")


def _strip_all_space(arr: pa.ChunkedArray) -> pa.ChunkedArray:
    """Full-width digits and letters to ASCII (NFKC), then no white space at all (unambiguous fixes)."""
    if not pc.all(pc.string_is_ascii(arr), skip_nulls=True).as_py():
        arr = pc.utf8_normalize(arr, "NFKC")
    return pc.replace_substring_regex(arr, r"\s+", "")


def _canonical(arr: pa.ChunkedArray, c: Column) -> pa.ChunkedArray:
    """One column's canonical text, with pyarrow kernels only (no per-row Python)."""
    if c.kind == "text":
        arr = pc.utf8_trim_whitespace(arr)
    else:
        arr = _strip_all_space(arr)
    if c.kind == "uscc":
        arr = pc.utf8_upper(pc.replace_substring_regex(arr, r"-", ""))
    elif c.kind in ("date", "timestamp"):
        # 2026/7/3 and 2026.7.3 → 2026-07-03: a single reading exists, so this normalises, not guesses.
        arr = pc.replace_substring_regex(arr, r"[/.]", "-") if c.kind == "date" else \
            pc.replace_substring_regex(arr, r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})", r"\1-\2-\3")
        arr = pc.replace_substring_regex(arr, r"^(\d{4})-(\d)-", r"\1-0\2-")
        arr = pc.replace_substring_regex(arr, r"^(\d{4}-\d{2})-(\d)(\D|$)", r"\1-0\2\3")
        if c.kind == "timestamp":  # white space was removed above: put the date-time separator back
            arr = pc.replace_substring_regex(arr, r"^(\d{4}-\d{2}-\d{2})(\d{2}:)", r"\1 \2")
    elif c.kind == "month":
        arr = pc.replace_substring_regex(arr, r"[/.]", "-")
        arr = pc.replace_substring_regex(arr, r"^(\d{4})-(\d)$", r"\1-0\2")
        arr = pc.replace_substring_regex(arr, r"^(\d{4})(\d{2})$", r"\1-\2")
    elif c.kind == "money":
        arr = pc.replace_substring_regex(arr, r"^¥", "")
    elif c.kind == "bool":
        arr = pc.utf8_lower(arr)
        for raw, canonical in BOOL_TEXT.items():
            arr = pc.if_else(pc.equal(arr, raw), canonical, arr)
    elif c.kind == "enum":
        if all(v == v.lower() for v in c.values):
            arr = pc.utf8_lower(arr)
        elif all(v == v.upper() for v in c.values):
            arr = pc.utf8_upper(arr)
    elif c.kind == "code":
        arr = pc.utf8_upper(arr)
    elif c.kind == "list":
        arr = pc.utf8_trim(pc.replace_substring_regex(arr, r";+", ";"), ";")
        if c.name == "conflicts":
            arr = pc.utf8_upper(arr)
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


def normalise(table: pa.Table, source: Source) -> pd.DataFrame:
    """Canonical text for every column: what validation sees and what the store parses."""
    canonical = pa.table({c.name: _canonical(table.column(c.name).cast(pa.string()), c) for c in source.columns})
    return canonical.to_pandas(types_mapper={pa.string(): ARROW_STRING}.get)


# --------------------------------------------------------------------------------------------
# Validating
# --------------------------------------------------------------------------------------------
@dataclass
class Checked:
    """The outcome of checking one file: canonical rows, each row's reasons, file-level failures."""

    frame: pd.DataFrame
    reasons: pd.Series           # per row: '' when accepted, else '; '-joined reasons
    rules: pd.Series             # per row: '' or '; '-joined rule names
    file_failures: list[str]
    suite_results: list[dict[str, Any]]
    warnings: list[str]


def _add(reasons: dict[str, list[str]], rules: dict[str, list[str]], mask: np.ndarray,
         index: pd.Index, rule: str, reason: str | pd.Series) -> None:
    if not mask.any():
        return
    hit = index[mask]
    texts = reason[mask] if isinstance(reason, pd.Series) else None
    for i, label in enumerate(hit):
        reasons.setdefault(label, []).append(texts.iloc[i] if texts is not None else reason)  # type: ignore[arg-type]
        rules.setdefault(label, []).append(rule)


def check(frame: pd.DataFrame, source: Source, night: date, suite_path: Path) -> Checked:
    """Validate canonical rows: the GX suite first, then the rules GX cannot state."""
    if frame.empty:  # an empty delta is a night without changes: nothing to validate
        empty = pd.Series([], index=frame.index, dtype="string")
        return Checked(frame, empty, empty, [], [], [])
    ctx, batch_definition = _gx_context()
    suite = load_suite(str(suite_path))
    result = batch_definition.get_batch(batch_parameters={"dataframe": frame}).validate(
        suite, result_format="COMPLETE")
    reasons: dict[Any, list[str]] = {}
    rules: dict[Any, list[str]] = {}
    file_failures: list[str] = []
    summary: list[dict[str, Any]] = []
    for r in result.results:
        cfg = r.expectation_config
        meta = cfg.meta or {}
        column = cfg.kwargs.get("column")
        name = f"{cfg.type}({column})" if column else cfg.type
        bad = r.result.get("unexpected_index_list") or []
        if bad or not r.success:  # the summary names only expectations that found something
            summary.append({"expectation": name, "success": bool(r.success), "unexpected": len(bad)})
        if meta.get("critical"):
            if not r.success:
                file_failures.append(f"{name}: {meta.get('reason', '')}")
            continue
        if bad:
            _add(reasons, rules, frame.index.isin(bad), frame.index, name, str(meta.get("reason", name)))

    index = frame.index
    for c in source.columns:
        s = frame[c.name]
        present = s.notna().to_numpy()
        if c.kind == "uscc":
            shaped = present & s.str.fullmatch(uscc_rules.SHAPE).fillna(False).to_numpy(dtype=bool)
            ok = uscc_rules.check_digit_ok(s.where(shaped, None))
            _add(reasons, rules, shaped & ~ok, index, "uscc_check_digit",
                 f"{c.name}：统一社会信用代码校验位错误 (GB 32100 check character wrong)")
        if c.kind in ("date", "timestamp"):
            text = s.str.slice(0, 10)
            shaped = present & text.str.fullmatch(PATTERNS["date"]).fillna(False).to_numpy(dtype=bool)
            parsed = pd.to_datetime(text.where(shaped, None), format="%Y-%m-%d", errors="coerce")
            missing = shaped & parsed.isna().to_numpy()
            _add(reasons, rules, missing, index, "date_exists", f"{c.name}：日期不存在 (no such calendar day)")
            if c.not_after_night:
                future = (parsed > pd.Timestamp(night)).to_numpy(dtype=bool)
                _add(reasons, rules, future, index, "date_not_after_night",
                     f"{c.name}：日期晚于批次日期 {night.isoformat()} (date is in the future of the night)")
    # Duplicated keys: identical rows keep their first copy; conflicting rows are all held back,
    # since choosing one would be guessing (contracts.md §1: quarantine what is ambiguous).
    clean = ~index.isin(list(reasons))
    key = list(source.key)
    candidates = frame[clean]
    dup_any = candidates.duplicated(subset=key, keep=False)
    if dup_any.any():
        dups = candidates[dup_any]
        lines = pd.Series(dups.index + ROW_OFFSET, index=dups.index)
        full_dup = dups.duplicated(keep="first")
        distinct_per_key = dups.drop_duplicates().groupby(key, dropna=False).size()
        conflicting_keys = distinct_per_key[distinct_per_key > 1].index
        key_index = pd.MultiIndex.from_frame(dups[key]) if len(key) > 1 else pd.Index(dups[key[0]])
        conflict = key_index.isin(conflicting_keys)
        first_line = lines.groupby([dups[k] for k in key], dropna=False).transform("min")
        exact = full_dup.to_numpy() & ~conflict
        _add(reasons, rules, np.isin(index, dups.index[exact]), index, "duplicate_row",
             "与第 " + first_line[exact].astype(str).reindex(index).fillna("") + " 行完全重复 (exact duplicate)")
        _add(reasons, rules, np.isin(index, dups.index[conflict]), index, "conflicting_duplicate_key",
             pd.Series(f"主键 {'+'.join(key)} 在文件中多次出现且内容不一致，无法判断以哪行为准 "
                       "(duplicated key with conflicting values)", index=index))
    reason_s = pd.Series("", index=index, dtype="string")
    rule_s = pd.Series("", index=index, dtype="string")
    if reasons:
        labels = list(reasons)
        reason_s.loc[labels] = ["; ".join(dict.fromkeys(reasons[k])) for k in labels]
        rule_s.loc[labels] = ["; ".join(dict.fromkeys(rules[k])) for k in labels]
    warnings: list[str] = []
    if "uscc" in frame:
        s = frame["uscc"].where(reason_s == "")
        org_bad = int((~uscc_rules.organisation_check_ok(s) & s.notna().to_numpy()).sum())
        if org_bad:
            # domain.md §1: pos. 17 is not proven on every real code; log, never reject.
            warnings.append(f"{org_bad} 个代码第17位组织机构代码校验不符（仅记录）")
    return Checked(frame, reason_s, rule_s, file_failures, summary, warnings)
