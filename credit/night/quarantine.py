"""The quarantine (隔离区): rows held back from a night, with the reasons a clerk reads.

A held-back row is stored as delivered (``raw``), with its physical ``line``, the ``rule`` codes
that caught it and their ``reason`` sentences ('; '-joined when several). The sentences come from
one table, :data:`REASONS`: the contract's expectations write them into the Great Expectations
suites (``meta.reason``), and :mod:`credit.night.quality` renders the rules GX cannot state.
"""

from __future__ import annotations

import io
import json
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Connection

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
    "date_not_after_night": Text("{column}：日期晚于批次日期 {night}", "date is in the future of the night"),
    "month_not_after_night": Text("{column}：所属期晚于批次所在月份 {month}", "period is after the night's month"),
    "not_above": Text("{column} 大于 {bound}，两者不可能同时成立", "{column} exceeds {bound} on the same row"),
    "duplicate_row": Text("与第 {first_line} 行完全重复", "exact duplicate"),
    "conflicting_duplicate_key": Text("主键 {key} 在文件中多次出现且内容不一致，无法判断以哪行为准",
                                      "duplicated key with conflicting values"),
}


def reason(code: str, **params: object) -> str:
    """The stored sentence of ``code``: ``中文 (English)``."""
    return str(REASONS[code].render(**params))


def held_rows(raw: pd.DataFrame, bad: np.ndarray, rules: pd.Series, reasons: pd.Series) -> pd.DataFrame:
    """The rows of one file held back, as stored: line, rule codes, reasons and the row as delivered."""
    held = raw[bad]
    return pd.DataFrame({
        "line": (raw.index[bad] + ROW_OFFSET).astype("int64"),
        "rule": rules[bad].astype(str).to_numpy(),
        "reason": reasons[bad].astype(str).to_numpy(),
        "raw": [json.dumps(r, ensure_ascii=False) for r in
                held.astype(object).where(held.notna(), None).to_dict(orient="records")],
    })


def copy_held(conn: Connection, night: date, file: str, source: str, held: pa.Table) -> None:
    """COPY one file's held-back rows into ``quarantine`` (inside the night's transaction)."""
    n = held.num_rows
    table = pa.table({
        "night": pa.array([night.isoformat()] * n), "file": pa.array([file] * n),
        "line": held.column("line").combine_chunks(), "source": pa.array([source] * n),
        "rule": held.column("rule").combine_chunks(), "reason": held.column("reason").combine_chunks(),
        "raw": held.column("raw").combine_chunks(),
    })
    buf = io.BytesIO()
    pacsv.write_csv(table, buf, pacsv.WriteOptions(include_header=False))
    raw = conn.connection.driver_connection
    assert raw is not None  # a live connection inside the night's transaction
    with raw.cursor() as cur, cur.copy(
            "copy quarantine (night, file, line, source, rule, reason, raw) from stdin (format csv)") as cp:
        cp.write(buf.getbuffer())
