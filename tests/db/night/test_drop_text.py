"""What an officer reads of a hostile drop's text, through ``credit nightly`` (drops3): refusals say
their file and line in Chinese first, control characters in free text are held at their true line,
and a UTF-8 file declared gb18030 is refused rather than stored garbled (contracts.md §1)."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from credit.settings import Settings
from tests.db.night.hostile import HEADER, NIGHT, A, B, reg, write_files
from tests.dropkit import code


def nightly(drop: Path) -> tuple[int, str]:
    return nightly_on(drop, NIGHT.isoformat())


def nightly_on(drop: Path, night: str) -> tuple[int, str]:
    from credit.cli.main import app

    result = CliRunner().invoke(app, ["nightly", "--date", night, "--drop", str(drop)])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def registration_drop(tmp_path: Path, content: bytes, rows: int, encoding: str = "utf-8") -> Path:
    drop = tmp_path / "drop"
    write_files(drop, {"registration.csv": (content, "registration", "delta", rows, encoding)})
    return drop


def test_a_refusal_says_its_line_in_chinese_first(cli_env: Settings, engine: Engine, tmp_path: Path) -> None:
    # A truncated UTF-8 character on line 3: refused, the file named, the line said in Chinese
    # before the Chinese reason and in English inside the English part; the rule code as it was.
    content = f"{HEADER}\n{reg(A)}\n{reg(B)}\n".encode()[:-2] + "杭".encode()[:2] + b"\n"
    code, output = nightly(registration_drop(tmp_path, content, 2))
    assert code == 2, output
    flat = " ".join(output.split())
    assert "registration.csv: 第 3 行：文件不是清单声明的 utf-8 编码 (line 3: not valid utf-8) [encoding_mismatch]" in flat
    assert "line 3:" not in flat.replace("(line 3:", "")
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from night_runs")).scalar() == 0


def test_control_characters_in_free_text_are_held_at_their_line(cli_env: Settings, engine: Engine,
                                                                  tmp_path: Path) -> None:
    # A BEL inside a legal name, a vertical tab at the end of an address (white space trimming
    # would have dropped it unseen), a C1 NEL and U+FFFE: each row held at its physical line with
    # the character named, stored as delivered; a tab stays the dialect's. A quoted line break
    # inside an address is an export defect (drops4): held too, as line_break.
    rows = [reg(A, name="杭州\t甲公司"),
            reg(B, name="杭州\x07乙公司"),
            reg(code(body="MA2B3C4F"), address="杭州市西湖区\x0b"),
            reg(code(body="MA2B3C4G"), name="\x85丁公司"),
            reg(code(body="MA2B3C4H"), address="文三路\ufffe"),
            reg(code(body="MA2B3C4J"), address="杭州市\n西湖区")]
    content = (HEADER + "\n" + "\n".join(rows) + "\n").encode()
    code_, output = nightly(registration_drop(tmp_path, content, 6))
    assert code_ == 0, output
    with engine.connect() as c:
        held = c.execute(sa.text("select line, rule, reason, raw from quarantine order by line")).all()
        names = c.execute(sa.text("select name from registration")).scalars().all()
    assert names == ["杭州\t甲公司"]
    assert [(line, rule) for line, rule, _, _ in held] == [
        (3, "control_character"), (4, "control_character"), (5, "control_character"), (6, "control_character"),
        (7, "line_break")]
    assert "address：值中含有换行符 U+000A" in held[4].reason and held[4].raw["address"] == "杭州市\n西湖区"
    assert "name：含有控制字符、非字符或字节顺序标记 U+0007" in held[0].reason
    assert "address：含有控制字符、非字符或字节顺序标记 U+000B" in held[1].reason
    assert "U+0085" in held[2].reason and "U+FFFE" in held[3].reason
    assert held[0].raw["name"] == "杭州\x07乙公司" and held[1].raw["address"] == "杭州市西湖区\x0b"


def test_a_utf8_file_declared_gb18030_is_refused_not_stored_garbled(cli_env: Settings, engine: Engine,
                                                                      tmp_path: Path) -> None:
    # UTF-8 bytes that GB 18030 also decodes: declared gb18030, they read as mojibake (中国 → 涓浗)
    # that would be stored as the legal name. Refused, naming the first line with such characters.
    content = f"{HEADER}\n{reg(A, name='中国', address='杭州', legal_form='有限公司')}\n".encode()
    assert "中国".encode().decode("gb18030") != "中国"       # the declared reading does not fail
    content.decode("gb18030")
    code_, output = nightly(registration_drop(tmp_path, content, 1, encoding="gb18030"))
    assert code_ == 2, output
    flat = " ".join(output.split())
    assert "registration.csv: 第 2 行：清单声明为 gb18030 编码，但文件是 UTF-8 编码的中文" in flat
    assert "[encoding_looks_utf8]" in flat
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from registration")).scalar() == 0
        assert c.execute(sa.text("select count(*) from night_runs")).scalar() == 0


def test_real_gb18030_drops_are_not_taken_for_utf8(cli_env: Settings, engine: Engine, tmp_path: Path) -> None:
    # The false positives measured: the sample generator's GB 18030 files publish, and no file, line
    # or field of them reads as UTF-8 Chinese text (each line and field alone, the worst case: a
    # one-row delta), as a whole file or as a line of a file otherwise GB 18030 (drops4).
    from credit.cli.main import app
    from credit.contract.records import LooksUtf8, MixedUtf8, Utf8LookAlike

    out = tmp_path / "sample"
    made = CliRunner().invoke(app, ["sample", "--entities", "200", "--nights", "1", "--out", str(out), "--seed", "3"])
    assert made.exit_code == 0, made.output
    night = min(p for p in out.iterdir() if p.is_dir() and (p / "manifest.json").exists())
    doc = json.loads((night / "manifest.json").read_text(encoding="utf-8"))
    gb = [night / name for name, e in doc["files"].items() if e.get("encoding") == "gb18030"]
    assert gb
    pieces = 0
    for path in gb:
        data = path.read_bytes()
        for piece in [data, *data.split(b"\n"), *(f for line in data.split(b"\n") for f in line.split(b","))]:
            look = Utf8LookAlike()
            look.see(piece, 0)
            try:
                look.verdict()
            except (LooksUtf8, MixedUtf8):
                raise AssertionError(f"{path.name}: {piece.decode('gb18030')} reads as UTF-8") from None
            pieces += not piece.isascii()
    assert pieces > 500
    code_, output = nightly_on(out, night.name)
    assert code_ == 0, output


def test_a_parquet_text_column_not_utf8_is_refused_not_a_traceback(cli_env: Settings, engine: Engine,
                                                                    tmp_path: Path) -> None:
    # GB 18030 bytes (中国) written into a Parquet string column by a writer that does not check
    # them: Arrow read them as they were and its first text kernel raised out of the night.
    import pyarrow as pa

    from tests.db.night.hostile import reg_parquet, registration_row

    name = pa.array([b"ok", b"\xd6\xd0\xb9\xfa"], pa.binary()).view(pa.string())
    drop = tmp_path / "drop"
    write_files(drop, {"registration.parquet": (reg_parquet([registration_row(A), registration_row(B)], name=name),
                                                "registration", "delta", 2, None)})
    code_, output = nightly(drop)
    assert code_ == 2, output
    flat = " ".join(output.split())
    assert "registration.parquet: 第 3 行：列 name 的文本不是有效的 UTF-8" in flat and "[parquet_not_utf8]" in flat
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from night_runs")).scalar() == 0
