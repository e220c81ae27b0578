"""Officers name the procedure of a corrected penalty's entity (domain.md §4): P1 named A, was
proposed and notified on 03-02; the 03-03 store names B (the same case_no: a correction,
contracts.md §1), so A's procedure is revoked and B's runs under the key ``P1:<B>``. An officer
types the case number with B's USCC — ``--uscc`` (the API's ``uscc``), after the number with a
space, or as the key with an ASCII or a full-width colon — and reaches B's procedure; ``P1`` alone
names the procedures of two entities and is refused in Chinese and English, naming each. Before, P1
alone silently reached A's revoked procedure and B's was reachable only as ``P1:<B>``."""

from __future__ import annotations

import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from credit.cli.commands import serious as scmd
from tests.db.api.support import Live, live, make_uscc  # noqa: F401  (the fixture)
from tests.db.rosters.helpers import D, decisions, night, penalty, reg

A, B = make_uscc(11), make_uscc(12)
ASSESS = ["--officer", "王科长", "--on", "2026-03-11", "--intent", "intentional", "--frequency", "首次",
          "--harm", "较大", "--outcome", "list"]


def _corrected(c: sa.Connection, settings) -> None:  # type: ignore[no-untyped-def]
    reg(c, A)
    reg(c, B)
    penalty(c, "P1", A, "2026-03-02")
    night(c, settings, "2026-03-02")
    c.execute(sa.text("update penalties set uscc = :b, last_night = :n where case_no = 'P1'"), {"b": B, "n": D("2026-03-03")})
    night(c, settings, "2026-03-03")
    keys = sorted((d["uscc"], d["action"], d["fact_key"]) for d in decisions(c) if d["action"] in ("revoke", "notice"))
    assert keys == sorted([(A, "notice", "notice:penalties:P1"), (A, "revoke", "revoke:penalties:P1"),
                           (B, "notice", f"notice:penalties:P1:{B}")])


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(scmd.app, name="serious")
    return app


def test_an_officer_names_the_entity_with_the_case_number(engine, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(scmd, "_engine", lambda: engine)
    with engine.begin() as c:
        _corrected(c, settings)
    app = _cli()

    def assess(*ref: str) -> tuple[int, str]:
        r = CliRunner().invoke(app, ["serious", "assess", *ref, *ASSESS])
        return r.exit_code, r.output

    # The case number alone: two entities' procedures — refused, each named, in both languages.
    code, out = assess("P1")
    assert code == 2 and "案号 P1 有 2 个当事人的列入程序" in out and f"P1:{B}" in out and A in out, out
    assert "--uscc" in out and "name the entity" in out and "已撤销" in out
    with engine.connect() as c:
        assert decisions(c, action="assess") == []
    # With the entity (as typed: lower case): B's procedure, assessed.
    code, out = assess("P1", "--uscc", B.lower())
    assert code == 0 and "(assess)" in out and f"case P1:{B}" in out, out
    with engine.connect() as c:
        (a,) = decisions(c, action="assess")
    assert (a["uscc"], a["fact_key"]) == (B, f"assess:penalties:P1:{B}")
    # Every way of typing it reaches B's procedure (now past its assessment) — the key kept too.
    for ref in (f"P1 {B}", f"P1：{B}", f"P1:{B}", f"Ｐ１:{B.lower()}"):
        code, out = assess(ref)
        assert code == 2 and f"案件 P1:{B} 当前不需要裁量评估" in out, (ref, out)
    # A's own procedure, named with its entity: revoked, nothing owed.
    code, out = assess("P1", "--uscc", A)
    assert code == 2 and "案件 P1 当前不需要裁量评估" in out and "next step: none" in out, out
    # A USCC that names no procedure on the case, and one that disagrees with the one typed after it.
    code, out = assess("P1", "--uscc", make_uscc(13))
    assert code == 2 and "不是严重违法失信名单列入程序中的案件" in out, out
    code, out = assess(f"P1 {B}", "--uscc", A)
    assert code == 2 and "不一致" in out, out
    with engine.connect() as c:
        assert len(decisions(c, action="assess")) == 1


def test_the_bureau_api_takes_the_entity_beside_the_case_number(live: Live) -> None:  # noqa: F811
    with live.engine.begin() as c:
        _corrected(c, live.settings)
    body = {"on": "2026-03-11", "intent": "negligent", "frequency": "首次", "harm": "轻微", "outcome": "list"}
    with live.client("bureau") as h:
        alone = h.post("/v1/bureau/serious/P1/assessment", json=body)
        assert alone.status_code == 409 and "2 个当事人的列入程序" in alone.text and "uscc" in alone.text, alone.text
        bad = h.post("/v1/bureau/serious/P1/assessment", json={**body, "uscc": "91110105MA0000120X"})
        assert bad.status_code == 422, bad.text
        ok = h.post("/v1/bureau/serious/P1/assessment", json={**body, "uscc": B})
        assert ok.status_code == 201 and ok.json()[0]["case_no"] == f"P1:{B}", ok.text
        key = h.post(f"/v1/bureau/serious/P1:{B}/assessment", json=body)      # the key, as before
        assert key.status_code == 409 and "当前不需要裁量评估" in key.text, key.text
    with live.engine.connect() as c:
        (a,) = decisions(c, action="assess")
    assert (a["uscc"], a["fact_key"]) == (B, f"assess:penalties:P1:{B}")
