"""Every command that records an officer's decision, a step or a received date applies the API's
rule to it (issue 14; an outsider's acceptance pass, s35): no date after today on the bureau's
clock (Asia/Shanghai), refused with exit 2 and the API's own bilingual words
(:func:`credit.api.validation.future_date_problem`) before any database is reached.

``credit objection decide 6 --outcome dismissed --officer 王五 --on 2027-01-05`` on 2026-12-02 used
to issue ``临平市监信〔2027〕1号``: a permanent decision dated in the future, opening the
authority's 2027 series early, where ``POST …/objections/{id}/decision`` answers 422."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from typer.testing import CliRunner

from credit import clock
from credit.api.validation import future_date_problem
from credit.cli.main import app

USCC = "91330106MA2B3C4D11"
FUTURE = "2027-01-05"
TODAY = date(2026, 12, 2)

#: (command line with FUT where the date goes, the option named in the refusal)
RECORDING = [
    (["repair", "apply", USCC, "--roster", "abnormal", "--received", "FUT"], "--received"),
    (["repair", "apply", USCC, "--penalty", "临市监罚〔2026〕1号", "--received", "FUT"], "--received"),
    (["objection", "file", "临平市监信〔2026〕1号", "--received", "FUT"], "--received"),
    (["objection", "decide", "6", "--outcome", "dismissed", "--officer", "王五", "--on", "FUT"], "--on"),
    (["decision", "approve", "5", "--officer", "王五", "--on", "FUT"], "--on"),
    (["decision", "reject", "5", "--officer", "王五", "--on", "FUT", "--note", "n"], "--on"),
    (["serious", "assess", "CASE-1", "--officer", "王五", "--intent", "negligent", "--frequency", "首次",
      "--harm", "无", "--outcome", "list", "--on", "FUT"], "--on"),
    (["serious", "consent", "CASE-1", "--officer", "王五", "--authority", "杭州市市场监督管理局",
      "--consented-on", "2026-12-01", "--document", "杭市监函〔2026〕1号", "--on", "FUT"], "--on"),
    (["serious", "consent", "CASE-1", "--officer", "王五", "--authority", "杭州市市场监督管理局",
      "--consented-on", "FUT", "--document", "杭市监函〔2026〕1号"], "--consented-on"),
]
# ``credit draw plan --as-of`` after today is refused by credit.draws.store.plan_draw itself, for the
# command line and the workbench alike (tests/db/draws/test_cli.py): one check there, none here.


@pytest.fixture(autouse=True)
def _bureau_clock(unreachable_database: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database that cannot be reached (a command that gets past its checks fails with exit 1,
    never 2), and the bureau's clock at 01:00 on 2 December in Shanghai (17:00 UTC the day before)."""
    monkeypatch.setattr(clock, "utc_now", lambda: datetime(2026, 12, 1, 17, 0, tzinfo=UTC))


def _run(args: list[str], day: str) -> tuple[int, str]:
    r = CliRunner().invoke(app, [day if a == "FUT" else a for a in args])
    return r.exit_code, " ".join(r.output.split())


@pytest.mark.parametrize(("args", "option"), RECORDING, ids=[" ".join(a[:2]) + " " + o for a, o in RECORDING])
def test_a_date_after_today_is_refused_as_the_api_refuses_it(args: list[str], option: str) -> None:
    code, said = _run(args, FUTURE)
    assert code == 2, said
    api_words = future_date_problem(date.fromisoformat(FUTURE), TODAY, option)
    assert api_words is not None and " ".join(api_words.split()) in said
    assert "不能填写将来的日期" in said and "is in the future" in said
    assert said.index("不能填写将来的日期") < said.index("is in the future")
    assert "〔2027〕" not in said and "Traceback" not in said


@pytest.mark.parametrize(("args", "option"), RECORDING, ids=[" ".join(a[:2]) + " " + o for a, o in RECORDING])
def test_today_on_the_bureaus_clock_is_not_the_future(args: list[str], option: str) -> None:
    """2 December in Shanghai while UTC still reads 1 December: the check lets it through (the
    command then fails only on the unreachable database)."""
    code, said = _run(args, "2026-12-02")
    assert code != 2 and "不能填写将来的日期" not in said, said
