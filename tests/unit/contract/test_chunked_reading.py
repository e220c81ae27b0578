"""A drop file is decoded and scanned a chunk at a time (issue 11: memory bounded by chunks, not by
the file): whatever the chunk size, the same records, lines and refusals as reading it whole."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credit.contract import manifest, records
from credit.contract.manifest import DropError
from credit.contract.records import split_csv

FIELDS = st.sampled_from(["", "x", "统一", "𠀀码", "1", "a b"])
LINE = st.lists(FIELDS, min_size=1, max_size=5).map(",".join)


def _split(data: bytes) -> tuple[object, ...]:
    s = split_csv(data)
    return s.header, s.header_line, s.table.to_pylist(), s.lines.tolist(), [(m.line, m.rule, m.text) for m in s.malformed]


@settings(max_examples=60, deadline=None)
@given(body=st.lists(LINE, max_size=25), sep=st.sampled_from(["\n", "\r\n"]), chunk=st.integers(1, 40))
def test_scanning_by_chunks_gives_the_records_and_lines_of_the_whole_file(body: list[str], sep: str,
                                                                         chunk: int) -> None:
    data = (sep.join(["a,b,c", *body]) + sep).encode("utf-8")
    whole = _split(data)
    before = records.SCAN_CHUNK
    records.SCAN_CHUNK = chunk
    try:
        assert _split(data) == whole
    finally:
        records.SCAN_CHUNK = before


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 64, 1 << 24])
def test_decoding_by_chunks_gives_the_utf8_and_the_line_of_the_first_bad_byte(encoding: str, chunk: int,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(manifest, "DECODE_CHUNK", chunk)
    df = SimpleNamespace(file="registration.csv")
    text = "uscc,name\n91110105MA00000010,北京甲科技有限公司\n91110105MA00000028,𠀀乙商贸\n"
    data = text.encode(encoding)
    assert manifest._as_utf8(df, data, encoding) == text.encode("utf-8")   # type: ignore[arg-type]
    assert manifest._as_utf8(df, b"", encoding) == b""                     # type: ignore[arg-type]
    cut = data.index("乙".encode(encoding))
    broken = data[:cut] + b"\xff\xff" + data[cut:]   # no character of either encoding starts with 0xff 0xff
    with pytest.raises(DropError) as e:
        manifest._as_utf8(df, broken, encoding)      # type: ignore[arg-type]
    assert e.value.issue.code == "encoding_mismatch" and e.value.issue.line == 3
