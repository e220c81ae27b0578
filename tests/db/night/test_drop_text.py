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
