"""What an officer reads of a hostile drop's text, through ``credit nightly`` (drops3): refusals say
their file and line in Chinese first, control characters in free text are held at their true line,
and a UTF-8 file declared gb18030 is refused rather than stored garbled (contracts.md §1)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from credit.settings import Settings
from tests.db.night.hostile import HEADER, NIGHT, A, B, reg, write_files
from tests.dropkit import code


def nightly(drop: Path) -> tuple[int, str]:
    from credit.cli.main import app

    result = CliRunner().invoke(app, ["nightly", "--date", NIGHT.isoformat(), "--drop", str(drop)])
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
    # the character named, stored as delivered; a tab and a quoted line break stay the dialect's.
    rows = [reg(A, name="杭州\t甲公司", address="杭州市\n西湖区"),
            reg(B, name="杭州\x07乙公司"),
            reg(code(body="MA2B3C4F"), address="杭州市西湖区\x0b"),
            reg(code(body="MA2B3C4G"), name="\x85丁公司"),
            reg(code(body="MA2B3C4H"), address="文三路\ufffe")]
    content = (HEADER + "\n" + "\n".join(rows) + "\n").encode()
    code_, output = nightly(registration_drop(tmp_path, content, 5))
    assert code_ == 0, output
    with engine.connect() as c:
        held = c.execute(sa.text("select line, rule, reason, raw from quarantine order by line")).all()
        names = c.execute(sa.text("select name from registration")).scalars().all()
    assert names == ["杭州\t甲公司"]
    assert [(line, rule) for line, rule, _, _ in held] == [
        (4, "control_character"), (5, "control_character"), (6, "control_character"), (7, "control_character")]
    assert "name：含有控制字符或非字符 U+0007" in held[0].reason
    assert "address：含有控制字符或非字符 U+000B" in held[1].reason
    assert "U+0085" in held[2].reason and "U+FFFE" in held[3].reason
    assert held[0].raw["name"] == "杭州\x07乙公司" and held[1].raw["address"] == "杭州市西湖区\x0b"
