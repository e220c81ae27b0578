"""The quarantine (隔离区): rows held back from a night, with the reasons a clerk reads.

A held-back row is stored as delivered (``raw``), with its physical ``line``, the ``rule`` codes
that caught it and their ``reason`` sentences ('; '-joined when several). The sentences come from
one table, :data:`REASONS`: the contract's expectations write them into the Great Expectations
suites (``meta.reason``), and :mod:`credit.night.quality` renders the rules GX cannot state.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Connection

from credit.contract.records import Malformed
from credit.issues import Text

ROW_OFFSET = 2  # physical line of row 0: the header is line 1

REASONS: dict[str, Text] = {
    # The contract's expectations (contracts.md §1), one per kind of check; written into the suites.
    "key_mostly_empty": Text("超过一成的行缺少主键 {column}，文件疑似损坏", "key column mostly empty"),
    "required": Text("必填项 {column} 为空", "required value missing"),
    "uscc": Text("{column}：统一社会信用代码格式不正确", "USCC is not 18 characters of the code alphabet"),
    "date": Text("{column}：日期格式不正确，应为 YYYY-MM-DD", "date is not YYYY-MM-DD"),
    "timestamp": Text("{column}：时间格式不正确", "timestamp is not ISO"),
    "int": Text("{column}：不是整数", "not a whole number"),
    "money": Text("{column}：金额格式不正确，应为不超过两位小数的非负数", "amount is not a number with up to 2 decimals"),
    "month": Text("{column}：所属期格式不正确，应为 YYYY-MM", "period is not YYYY-MM"),
    "code": Text("{column}：代码格式不正确", "code does not match {pattern}"),
    "enum": Text("{column}：取值不在规定范围内 {values}", "value not allowed"),
    "bool": Text("{column}：应为 true 或 false", "not a boolean"),
    "list": Text("{column}：含有不在规定范围内的项目", "an item is not allowed"),
    "max_length": Text("{column}：长度超过 {max_length} 字", "too long"),
    "non_negative": Text("{column}：不能为负数", "must not be negative"),
    # The rules Great Expectations cannot state over one column, applied by credit.night.quality.
    "uscc_check_digit": Text("{column}：统一社会信用代码校验位错误", "GB 32100 check character wrong"),
    "date_exists": Text("{column}：日期不存在", "no such calendar day"),
    "time_exists": Text("{column}：时刻不存在（时应为 00–23，分、秒应为 00–59）", "no such time of day"),
    "date_not_after_night": Text("{column}：日期晚于批次日期 {night}", "date is in the future of the night"),
    "month_not_after_night": Text("{column}：所属期晚于批次所在月份 {month}", "period is after the night's month"),
    "not_before": Text("{column} 早于 {bound}，两者不可能同时成立", "{column} is before {bound} on the same row"),
    "year_not_after_night": Text("{column}：年份晚于批次所在年份 {year}", "year is after the night's year"),
    "year_not_closed": Text("{column}：{year} 年度的年报自 {next} 年 1 月 1 日起报送，批次所在年度尚未结束"
                            "（企业信息公示暂行条例第八条）",
                            "a report for year {year} is filed from 1 January {next}; the year is not over"),
    "assessment_year_not_over": Text("{column}：纳税缴费信用评价是对已结束年度的年度评价，{year} 年度尚未结束，"
                                     "不可能已有该年度的纳税缴费信用级别（《纳税缴费信用管理办法》）",
                                     "a tax-and-fee credit level assesses a year that is over; {year} is not over"),
    "before_year_end": Text("{column} 早于 {year_column} 所指年度结束：年报自次年 1 月 1 日起报送"
                            "（企业信息公示暂行条例第八条）",
                            "{column} is before the end of the {year_column}; a report is filed from 1 January after it"),
    "not_above": Text("{column} 大于 {bound}，两者不可能同时成立", "{column} exceeds {bound} on the same row"),
    "days_before_1949": Text("{column}：天数超过 {month_column} 月末至 1949-10-01 的天数，"
                             "不可能是逾期天数（录入错误或占位值）",
                             "more days than from 1949-10-01 to the end of the {month_column}: not a day count"),
    "nul_byte": Text("{column}：含有空字符（NUL，0x00），无法入库", "a NUL byte in the value"),
    "control_character": Text("{column}：含有控制字符、非字符或字节顺序标记 {char}（交付的原文如此，"
                              "不能确认其本意，不予改动也不入库）",
                              "a control character, noncharacter or byte-order mark {char} in the value "
                              "as delivered"),
    "invisible_character": Text("{column}：含有不可见的格式字符 {char}（零宽空格、零宽连接符、字词连接符、"
                                "书写方向控制符等：看不出来，却使名称、代码或文号成为另一个；不能确认其本意，"
                                "不予改动也不入库）",
                                "an invisible format character {char} in the value (a zero-width space or joiner, "
                                "a word joiner, a direction control: it shows as nothing, yet makes another name, "
                                "code or number)"),
    "line_break": Text("{column}：值中含有换行符 {char}（该列为单行文本，值中换行多为导出错误，"
                       "不能确认其本意，不予改动也不入库）",
                       "a line break {char} inside a one-line value (most likely an export defect)"),
    "date_too_early": Text("{column}：日期早于 {earliest}，不可信", "date before {earliest}"),
    "month_too_early": Text("{column}：所属期早于 {earliest}，不可信", "period before {earliest}"),
    "year_too_early": Text("{column}：年份早于 {earliest} 年，不可信", "year before {earliest}"),
    # Records that could not be split into the header's columns (credit.contract.records).
    "malformed_field_count": Text("该行有 {found} 个字段，表头有 {expected} 个（截断或多出分隔符）",
                                  "record has {found} fields, the header {expected}"),
    "malformed_quote": Text("引号未闭合，该行无法解析", "unbalanced quote"),
    "malformed_record": Text("该行不符合 CSV 格式，无法解析", "not a CSV record: {error}"),
    "malformed_too_long": Text("自该行起的记录超过 {expected} 行仍未结束（引号未闭合；单条记录行数上限 "
                               "CREDIT_INGEST_MAX_RECORD_LINES），该行无法解析，自下一行起继续读取",
                               "record still open after {expected} lines (an unbalanced quote; the record "
                               "line limit, CREDIT_INGEST_MAX_RECORD_LINES); read on from the next line"),
    "duplicate_row": Text("与第 {first_line} 行完全重复", "exact duplicate"),
    "conflicting_duplicate_key": Text("主键 {key} 在文件中多次出现且内容不一致，无法判断以哪行为准",
                                      "duplicated key with conflicting values"),
    # Decided when the night publishes, against the store (credit.night.ingest.hold_stale).
    "stale_update": Text("{column} {delivered} 早于库中该记录已有的 {stored}，为过期数据，不覆盖较新的状态",
                         "{column} {delivered} is older than the stored row's {stored}: "
                         "a stale update does not replace newer state"),
    "unstamped_update": Text("{column} 为空（更新时间不明），不能确认晚于库中该记录已有的 {stored}，不覆盖已有状态",
                             "{column} is empty (unknown): not known to be newer than the stored row's "
                             "{stored}, so it does not replace it"),
}


def reason(code: str, **params: object) -> str:
    """The stored sentence of ``code``: ``中文 (English)``."""
    return str(REASONS[code].render(**params))


NUL_SHOWN = "\u2400"  # ␀: PostgreSQL text and jsonb cannot hold NUL, so the stored raw row shows it so


def held_rows(raw: pd.DataFrame | pa.Table, bad: np.ndarray, rules: pd.Series, reasons: pd.Series,
              lines: np.ndarray | None = None) -> pd.DataFrame:
    """The rows of one file held back, as stored: line, rule codes, reasons and the row as delivered.

    ``raw`` is the file as read, a frame or the Arrow table itself: then only the held rows become
    pandas, never a copy of the whole file (issue 11: a night's memory does not follow the file).
    ``lines`` is each row's physical line (:mod:`credit.contract.records`); without it, row *n* is
    line *n + 2*. A NUL byte in a value is stored as ␀ (U+2400), the one change to the raw text.
    """
    if isinstance(raw, pa.Table):
        held = raw.filter(pa.array(bad, type=pa.bool_())).to_pandas(
            types_mapper=lambda t: pd.StringDtype("pyarrow") if t == pa.string() else None)
        held.index = np.flatnonzero(bad)
    else:
        held = raw[bad]
    held = held.assign(**{c: held[c].str.replace("\x00", NUL_SHOWN, regex=False) for c in held.columns})
    line = lines[bad] if lines is not None else np.asarray(held.index) + ROW_OFFSET
    return pd.DataFrame({
        "line": np.asarray(line, dtype="int64"),
        "rule": rules[bad].astype(str).to_numpy(),
        "reason": reasons[bad].astype(str).to_numpy(),
        "raw": [json.dumps(r, ensure_ascii=False) for r in
                held.astype(object).where(held.notna(), None).to_dict(orient="records")],
    })


def malformed_rows(malformed: Sequence[Malformed]) -> pd.DataFrame:
    """Records that could not be read, as stored: their line, rule, reason and text (``{"_record": …}``)."""
    return pd.DataFrame({
        "line": np.asarray([m.line for m in malformed], dtype="int64"),
        "rule": [m.rule for m in malformed],
        "reason": [reason(m.rule, found=m.found, expected=m.expected, error=m.error) for m in malformed],
        "raw": [json.dumps({"_record": m.text.replace("\x00", NUL_SHOWN)}, ensure_ascii=False) for m in malformed],
    })


def copy_held(conn: Connection, night: date, file: str, source: str, held: pa.Table, *,
              digest: str | None = None) -> None:
    """COPY one file's held-back rows into ``quarantine``, or with ``digest`` into the night's staging
    (``night_staging_quarantine``, :mod:`credit.night.staging`)."""
    n = held.num_rows
    keys = {"digest": pa.array([digest] * n, type=pa.string())} if digest is not None else {}
    table = pa.table({
        "night": pa.array([night.isoformat()] * n), **keys, "file": pa.array([file] * n),
        "line": held.column("line").combine_chunks(), "source": pa.array([source] * n),
        "rule": held.column("rule").combine_chunks(), "reason": held.column("reason").combine_chunks(),
        "raw": held.column("raw").combine_chunks(),
    })
    buf = io.BytesIO()
    pacsv.write_csv(table, buf, pacsv.WriteOptions(include_header=False))
    raw = conn.connection.driver_connection
    assert raw is not None  # a live connection inside the night's transaction
    target = "night_staging_quarantine" if digest is not None else "quarantine"
    with raw.cursor() as cur, cur.copy(
            f"copy {target} ({', '.join(table.column_names)}) from stdin (format csv)") as cp:
        cp.write(buf.getbuffer())
