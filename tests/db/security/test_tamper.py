"""Tamper evidence that outlives the database, and certificates a bank verifies offline (issue 14)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from credit.cli.main import app
from credit.keyring import keyring_for, keyring_path
from credit.rosters.anchors import anchor_path, line_digest, publish_anchors, read_anchors
from credit.rosters.audit import verify_chain
from credit.rosters.repair import apply_for_removal
from credit.settings import Settings, get_settings
from credit.signing import canonical, signer_for, verify_file
from tests.db.api.support import NAMES, A, B, C, D, annual_report, live, register, run_night, seed_story  # noqa: F401
from tests.db.rosters.helpers import rehash_chain

runner = CliRunner()


def published_nights(engine: Engine, settings: Settings, *, publish_last: bool = True) -> None:
    """Three nights, each published as publish_night does: committed, then its head appended outside.
    07-15 lists 甲 and 丙 (no 2025 annual report); 甲 files and applies; 07-22 removes 甲.
    ``publish_last=False``: the last night's process died between its commit and its publication."""
    with engine.begin() as c:
        for u, n in NAMES.items():
            register(c, u, n)
        annual_report(c, B, 2025, "2026-03-01")
    run_night(engine, settings, "2026-07-15")
    publish_anchors(engine, settings)
    with engine.begin() as c:
        annual_report(c, A, 2025, "2026-07-20")
        apply_for_removal(c, A, "abnormal", D("2026-07-21"), settings=settings)
    for day in ("2026-07-21", "2026-07-22"):
        run_night(engine, settings, day)
        if publish_last or day != "2026-07-22":
            assert publish_anchors(engine, settings) == 1


def _superuser_rewrites_everything_inside(engine: Engine, seq: int) -> None:
    """Change decision ``seq``, recompute every hash after it, rewrite the in-database anchors and the
    heads recorded in the nights' summaries: everything inside the database agrees again."""
    with engine.begin() as c:
        c.exec_driver_sql("alter table roster_decisions disable trigger roster_decisions_append_only")
        c.exec_driver_sql(f"update roster_decisions set cause = cause || '（已篡改）' where seq = {seq}")
        rehash_chain(c)
        c.exec_driver_sql("alter table roster_decisions enable trigger roster_decisions_append_only")
        c.exec_driver_sql("alter table roster_chain_anchors disable trigger roster_chain_anchors_append_only")
        c.exec_driver_sql("update roster_chain_anchors a set row_hash = d.row_hash from roster_decisions d "
                          "where d.seq = a.seq")
        c.exec_driver_sql("alter table roster_chain_anchors enable trigger roster_chain_anchors_append_only")
        c.exec_driver_sql("alter table night_runs disable trigger user")
        c.exec_driver_sql("""
            update night_runs n set summary = jsonb_set(n.summary, '{rosters,chain_head,hash}', to_jsonb(d.row_hash))
              from roster_decisions d where d.seq = (n.summary->'rosters'->'chain_head'->>'seq')::bigint""")
        c.exec_driver_sql("alter table night_runs enable trigger user")


def test_a_consistent_rewrite_inside_the_database_is_caught_by_the_anchors_outside_it(
        engine: Engine, settings: Settings, cli_env: None) -> None:
    published_nights(engine, settings)
    lines = anchor_path(settings).read_text().splitlines()
    assert len(lines) == 3 and [json.loads(x)["night"] for x in lines] == ["2026-07-15", "2026-07-21", "2026-07-22"]
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0 and "3 signed anchors published outside the database" in ok.output, ok.output
    with engine.connect() as c:
        heads = dict(c.execute(sa.text("select night::text, seq from roster_chain_anchors")).all())
    first_night_head = heads["2026-07-15"]
    target = first_night_head + 1                        # the first decision after the first night's head
    assert heads["2026-07-22"] >= target, heads
    _superuser_rewrites_everything_inside(engine, target)
    with engine.connect() as c:
        inside_only = verify_chain(c)
    assert inside_only.ok                                # the database alone no longer notices
    bad = runner.invoke(app, ["audit", "verify"])
    assert bad.exit_code == 1
    out = " ".join(bad.output.split())
    broken = min(s for s in heads.values() if s >= target)
    night = next(n for n, s in heads.items() if s == broken)
    assert f"BROKEN at decision {broken} (night {night})" in out, out
    assert "published outside the database" in out and f"decision {first_night_head} of night 2026-07-15" in out


def test_an_altered_or_foreign_anchor_file_fails_by_its_line(engine: Engine, settings: Settings, cli_env: None,
                                                              tmp_path: Path) -> None:
    published_nights(engine, settings)
    path = anchor_path(settings)
    lines = path.read_text().splitlines()
    doc = json.loads(lines[1])
    doc["row_hash"] = "0" * 64
    copy = tmp_path / "anchors-copy.jsonl"
    copy.write_text("\n".join([lines[0], json.dumps(doc), lines[2]]) + "\n")
    bad = runner.invoke(app, ["audit", "verify", "--anchors", str(copy)])
    assert bad.exit_code == 1 and "line 2" in bad.output, bad.output
    # Someone else's key cannot publish anchors that pass for ours.
    other = tmp_path / "other.pem"
    other.write_text(signer_for(Settings(home=tmp_path / "elsewhere")).public_pem)
    foreign = runner.invoke(app, ["audit", "verify", "--public-key", str(other)])
    said = " ".join(foreign.output.split())
    # named as a key that is not among the bureau's keys (the keyring written with the first anchor)
    assert foreign.exit_code == 1 and "不在密钥清单中" in said and "is not in the keyring" in said, said
    # without a keyring (an installation before its first keyring line), every line names the key
    (settings.publication_folder / "signing-keys.jsonl").unlink()
    foreign = runner.invoke(app, ["audit", "verify", "--public-key", str(other)])
    assert foreign.exit_code == 1 and "密钥不符" in foreign.output


def test_a_night_whose_anchor_missed_the_file_is_caught_up(engine: Engine, settings: Settings) -> None:
    published_nights(engine, settings, publish_last=False)  # the process died after the third commit
    path = anchor_path(settings)
    with engine.connect() as c:
        report = verify_chain(c, read_anchors(path, signer_for(settings).public_key))
    assert report.ok and any("not yet in" in w for w in report.warnings)
    assert publish_anchors(engine, settings) == 1
    again = read_anchors(path, signer_for(settings).public_key)
    assert not again.problems and [a.night.isoformat() for a in again.anchors][-1] == "2026-07-22"
    assert publish_anchors(engine, settings) == 0            # idempotent


def test_a_bank_verifies_a_certificate_offline_with_the_published_key_alone(
        live, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    seed_story(live)
    with live.client("consumer") as h:
        cert = h.post("/v1/screenings", json={"usccs": [A, B], "as_of": "2026-07-15"}).json()
    with live.client() as h:
        key = h.get("/v1/keys/signing").json()
    assert cert["signature"]["key_id"] == key["key_id"] and key["algorithm"] == "Ed25519"
    (tmp_path / "cert.json").write_text(json.dumps(cert, ensure_ascii=False, indent=2), encoding="utf-8")
    (tmp_path / "bureau.pem").write_text(key["public_key_pem"])
    # The bank's machine: no database, no network, no settings of ours.
    monkeypatch.setenv("CREDIT_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("CREDIT_HOME", str(tmp_path / "bank"))
    get_settings.cache_clear()
    try:
        ok = runner.invoke(app, ["verify-signature", str(tmp_path / "cert.json"),
                                 "--public-key", str(tmp_path / "bureau.pem")])
        assert ok.exit_code == 0 and "signature valid" in ok.output, ok.output
        forged = dict(cert, results=[dict(r, listed=not r["listed"]) for r in cert["results"]])
        (tmp_path / "forged.json").write_text(json.dumps(forged, ensure_ascii=False))
        bad = runner.invoke(app, ["verify-signature", str(tmp_path / "forged.json"),
                                  "--public-key", str(tmp_path / "bureau.pem")])
        assert bad.exit_code == 1 and "INVALID" in bad.output
    finally:
        get_settings.cache_clear()
    # The signature does not disturb the certificate's own re-check against the log.
    with live.client() as h:
        assert h.post("/v1/certificates/verify", json=cert).json()["verdict"] == "valid"


# ------------------------------------------------------------------ an outsider's findings (bbG)
def _heads(engine: Engine) -> dict[str, int]:
    with engine.connect() as c:
        return dict(c.execute(sa.text("select night::text, seq from roster_chain_anchors")).all())


def _forge(engine: Engine, seq: int, night: str | None = None) -> None:
    """What the outsider did as superuser: change decision ``seq`` and recompute its own two hashes
    (not the later links); with ``night``, make that night's anchor and summary name the forged hash."""
    with engine.begin() as c:
        c.exec_driver_sql("alter table roster_decisions disable trigger roster_decisions_append_only")
        c.exec_driver_sql(f"update roster_decisions set reason = coalesce(reason, '') || '（伪造）' where seq = {seq}")
        c.exec_driver_sql("update roster_decisions d set content_hash = encode(sha256(convert_to("
                          f"roster_decision_canonical(d), 'UTF8')), 'hex') where seq = {seq}")
        c.exec_driver_sql("update roster_decisions set row_hash = encode(sha256(convert_to(prev_hash || content_hash, "
                          f"'UTF8')), 'hex') where seq = {seq}")
        c.exec_driver_sql("alter table roster_decisions enable trigger roster_decisions_append_only")
        if night is not None:
            c.exec_driver_sql("alter table roster_chain_anchors disable trigger roster_chain_anchors_append_only")
            c.exec_driver_sql(f"update roster_chain_anchors a set row_hash = d.row_hash from roster_decisions d "
                              f"where d.seq = a.seq and a.night = '{night}'")
            c.exec_driver_sql("alter table roster_chain_anchors enable trigger roster_chain_anchors_append_only")
            c.exec_driver_sql(f"""
                update night_runs n set summary = jsonb_set(n.summary, '{{rosters,chain_head,hash}}', to_jsonb(d.row_hash))
                  from roster_decisions d where d.seq = {seq} and n.night = '{night}'""")


def test_publish_refuses_to_sign_a_head_that_does_not_verify(engine: Engine, settings: Settings, cli_env: None,
                                                             tmp_path: Path) -> None:
    """Finding 1: the anchor file moved away, a forged decision 'anchored' inside the database —
    publish signed the forged head. It verifies first and exits 1; nothing is written."""
    published_nights(engine, settings)
    heads = _heads(engine)
    _forge(engine, heads["2026-07-15"], "2026-07-15")
    path = anchor_path(settings)
    path.rename(tmp_path / "moved.jsonl")
    bad = runner.invoke(app, ["audit", "publish"])
    assert bad.exit_code == 1, bad.output
    out = " ".join(bad.output.split())
    assert "nothing published" in out and "BROKEN at decision" in out, out
    assert not path.exists()


def test_the_first_publication_verifies_the_log_too(engine: Engine, settings: Settings, cli_env: None) -> None:
    """A new installation's first publication (no file, nothing recorded) walks the whole log: a
    forged decision is refused by the command and by the night's own publication."""
    with engine.begin() as c:
        for u, n in NAMES.items():
            register(c, u, n)
    run_night(engine, settings, "2026-07-15")
    first = _heads(engine)["2026-07-15"]
    assert first >= 2
    _forge(engine, first - 1)
    assert publish_anchors(engine, settings) == 0            # logged, the night stays committed
    bad = runner.invoke(app, ["audit", "publish"])
    assert bad.exit_code == 1 and f"BROKEN at decision {first}" in " ".join(bad.output.split()), bad.output
    assert read_anchors(anchor_path(settings), None).anchors == []


def test_the_nightly_publication_verifies_the_decisions_after_the_last_published_head(
        engine: Engine, settings: Settings) -> None:
    with engine.begin() as c:
        for u, n in NAMES.items():
            register(c, u, n)
        annual_report(c, B, 2025, "2026-03-01")
    run_night(engine, settings, "2026-07-15")
    assert publish_anchors(engine, settings) == 1
    with engine.begin() as c:
        annual_report(c, A, 2025, "2026-07-20")
        apply_for_removal(c, A, "abnormal", D("2026-07-21"), settings=settings)
    run_night(engine, settings, "2026-07-21")             # its process dies before its publication
    heads = _heads(engine)
    assert heads["2026-07-21"] > heads["2026-07-15"], heads
    with engine.begin() as c:
        c.exec_driver_sql("alter table roster_decisions disable trigger roster_decisions_append_only")
        c.exec_driver_sql(f"update roster_decisions set reason = 'x' where seq = {heads['2026-07-21']}")
        c.exec_driver_sql("alter table roster_decisions enable trigger roster_decisions_append_only")
    assert publish_anchors(engine, settings) == 0             # the next night's publication signs nothing
    assert len(read_anchors(anchor_path(settings), None).anchors) == 1


@pytest.mark.parametrize("how", ["deleted", "emptied", "last line removed"])
def test_a_missing_emptied_or_shortened_anchor_file_fails_verify(engine: Engine, settings: Settings, cli_env: None,
                                                                  how: str) -> None:
    """Finding 2: with the file gone, a rewrite of the whole log passed with a warning. Each
    night's publication records its line in the night's summary; fewer lines is a failure."""
    published_nights(engine, settings)
    path = anchor_path(settings)
    lines = path.read_text().splitlines()
    if how == "deleted":
        path.unlink()
    else:
        path.write_text("" if how == "emptied" else "\n".join(lines[:2]) + "\n")
    bad = runner.invoke(app, ["audit", "verify"])
    out = " ".join(bad.output.split())
    assert bad.exit_code == 1, out
    assert ("anchor file missing" if how == "deleted" else "anchor file truncated") in out, out
    assert "3 line(s) were published" in out or "but 3 were published" in out, out
    assert "2026-07-22" in out and "decision log BROKEN" not in out
    # Nor does the command sign anything onto what is left.
    refused = runner.invoke(app, ["audit", "publish"])
    assert refused.exit_code == 1 and "nothing published" in refused.output, refused.output


def test_an_unsigned_edit_of_an_anchor_line_is_named_not_blamed_on_the_log(
        engine: Engine, settings: Settings, cli_env: None) -> None:
    """Finding 3a: line 1's seq edited (not re-signed) read as the log broken at that decision."""
    published_nights(engine, settings)
    path = anchor_path(settings)
    lines = path.read_text().splitlines()
    doc = json.loads(lines[0])
    doc["seq"] -= 1
    path.write_text("\n".join([json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
                               *lines[1:]]) + "\n")
    bad = runner.invoke(app, ["audit", "verify"])
    out = " ".join(bad.output.split())
    assert bad.exit_code == 1 and "decision log BROKEN" not in out, out
    assert "anchor records BROKEN" in out and "line 1" in out and "签名无效" in out, out


def test_an_altered_database_anchor_is_named_not_blamed_on_the_log(engine: Engine, settings: Settings,
                                                                   cli_env: None) -> None:
    """Finding 3b: roster_chain_anchors.seq moved one back read as the log rewritten."""
    published_nights(engine, settings)
    first = _heads(engine)["2026-07-15"]
    with engine.begin() as c:
        c.exec_driver_sql("alter table roster_chain_anchors disable trigger roster_chain_anchors_append_only")
        c.exec_driver_sql(f"update roster_chain_anchors set seq = {first - 1} where night = '2026-07-15'")
        c.exec_driver_sql("alter table roster_chain_anchors enable trigger roster_chain_anchors_append_only")
    for args in (["audit", "verify"], ["audit", "verify", "--anchors", str(anchor_path(settings))]):
        bad = runner.invoke(app, args)
        out = " ".join(bad.output.split())
        assert bad.exit_code == 1 and "decision log BROKEN" not in out, out
        assert "night 2026-07-15: the database's anchor (roster_chain_anchors)" in out, out
        assert f"decision {first - 1}" in out and "that record was altered, not the log" in out, out
    # Without the file, the night's summary and the log still outvote the altered anchor.
    anchor_path(settings).unlink()
    with engine.connect() as c:
        alone = verify_chain(c)
    assert not alone.ok and alone.broken_seq is None and "roster_chain_anchors" in (alone.problem or ""), alone


def test_the_publication_after_a_night_compares_its_head_without_walking_its_rows(
        engine: Engine, settings: Settings) -> None:
    """The publication that follows a night's commit in the same process does not walk the rows that
    night appended (at 1 M a first night's 181,065 cost 25 s of CPU) but still holds the night's
    head against the stored log: a head altered in the log (not in the anchors) is refused, and the
    same night published by another process (``own_rows_after`` unset) is walked as before."""
    with engine.begin() as c:
        for u, n in NAMES.items():
            register(c, u, n)
    run_night(engine, settings, "2026-07-15")
    head = _heads(engine)["2026-07-15"]
    _forge(engine, head)                               # the head row changed, its anchors not
    assert publish_anchors(engine, settings, own_rows_after=0) == 0   # every row is the night's own
    assert publish_anchors(engine, settings) == 0
    assert read_anchors(anchor_path(settings), None).anchors == []


def test_an_anchor_file_or_key_that_cannot_be_read_is_refused_in_both_languages(
        engine: Engine, settings: Settings, cli_env: None, tmp_path: Path) -> None:
    """`credit audit verify --anchors FOLDER` ended in Python's IsADirectoryError traceback (exit 1,
    as if the log were broken), and a missing `--anchors` file or `--public-key` was refused in
    English alone (`[Errno 2] …`): a file that cannot be read is exit 2, named in Chinese then
    English, as `credit verify-signature` names it (README "Tamper evidence"; common rules: no
    traceback)."""
    published_nights(engine, settings)
    own = anchor_path(settings)
    key = tmp_path / "bureau.pem"
    key.write_text(signer_for(settings).public_pem)
    cases = {
        "a folder as the copy": (["--anchors", str(tmp_path)], "这是一个文件夹", "isafolder"),
        "a missing copy": (["--anchors", str(tmp_path / "gone.jsonl")], "文件不存在", "nosuchfile"),
        "a missing key": (["--public-key", str(tmp_path / "gone.pem")], "文件不存在", "nosuchfile"),
        "a folder as the key": (["--public-key", str(tmp_path)], "这是一个文件夹", "isafolder"),
    }
    for what, (args, zh, en) in cases.items():
        r = runner.invoke(app, ["audit", "verify", *args])
        flat = "".join(r.output.split())
        assert r.exit_code == 2 and isinstance(r.exception, SystemExit), (what, r.output, r.exception)
        assert zh in flat and en in flat and "Errno" not in flat and flat.index(zh) < flat.index(en), (what, r.output)
    # The installation's own file replaced by a folder: cannot be checked, said so (not a traceback).
    own.rename(tmp_path / "moved.jsonl")
    own.mkdir()
    r = runner.invoke(app, ["audit", "verify", "--public-key", str(key)])
    flat = "".join(r.output.split())
    assert r.exit_code == 2 and isinstance(r.exception, SystemExit) and "这是一个文件夹" in flat, r.output
    # Nor can anything be appended to it: `credit audit publish` says so in both languages too.
    r = runner.invoke(app, ["audit", "publish"])
    flat = "".join(r.output.split())
    assert r.exit_code == 2 and "这是一个文件夹" in flat and "isafolder" in flat and "Errno" not in flat, r.output


def test_a_night_published_while_verify_reads_is_no_truncated_file(engine: Engine, settings: Settings, cli_env: None,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """`credit audit verify` read the anchor file, then the lines the nights recorded publishing: a
    night's publication landing in between (its line appended and recorded) read as "anchor file
    truncated … line 3 was removed", exit 1 — a broken record reported for an intact one (a race
    may not publish a mixture, issue 14). The publication holds the file exclusively while it
    appends and records; verify now reads the file and takes its database snapshot under a shared
    hold, so a publication waits (here: cannot start) until both are read."""
    import fcntl

    import credit.rosters.anchors as anchors_module

    published_nights(engine, settings, publish_last=False)  # the third night is still to be published
    original = anchors_module.read_anchors
    raced: list[bool] = []

    def read_then_publish(path: Path, public: object) -> object:
        out = original(path, public)  # type: ignore[arg-type]
        with open(anchor_path(settings), "rb") as f:
            try:   # what the publication's exclusive lock would find
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raced.append(False)    # held: the publication waits until verify has read everything
                return out
        raced.append(True)
        assert publish_anchors(engine, settings) == 1
        return out

    monkeypatch.setattr(anchors_module, "read_anchors", read_then_publish)
    r = runner.invoke(app, ["audit", "verify"])
    assert raced == [False] and r.exit_code == 0, (raced, r.output)
    monkeypatch.setattr(anchors_module, "read_anchors", original)
    assert publish_anchors(engine, settings) == 1
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0


def test_a_deleted_record_of_a_published_night_is_named(engine: Engine, settings: Settings, cli_env: None) -> None:
    """A superuser deleted a published night's run record (night_runs: its summary, its files'
    digests, the head it recorded) or its anchor in the database; the log untouched. Verify said
    "intact" (exit 0) — an altered record is named (README "Tamper evidence"), a deleted one was not,
    though the signed line published outside the database names the night."""
    published_nights(engine, settings)
    with engine.begin() as c:
        c.exec_driver_sql("alter table night_runs disable trigger user")
        c.exec_driver_sql("delete from night_runs where night = '2026-07-21'")
        c.exec_driver_sql("alter table night_runs enable trigger user")
    r = runner.invoke(app, ["audit", "verify"])
    flat = "".join(r.output.split())
    assert r.exit_code == 1 and "2026-07-21" in flat and "night_runs" in flat and "missing" in flat, r.output
    with engine.begin() as c:
        c.exec_driver_sql("alter table roster_chain_anchors disable trigger roster_chain_anchors_append_only")
        c.exec_driver_sql("delete from roster_chain_anchors where night = '2026-07-15'")
        c.exec_driver_sql("alter table roster_chain_anchors enable trigger roster_chain_anchors_append_only")
    r = runner.invoke(app, ["audit", "verify"])
    flat = "".join(r.output.split())
    assert r.exit_code == 1 and "2026-07-15" in flat and "roster_chain_anchors" in flat, r.output


def test_an_export_as_recorded_after_night_k_names_night_ks_published_head(
        engine: Engine, settings: Settings, cli_env: None, tmp_path: Path) -> None:
    """A roster exported "as recorded after night K" reflects the log as night K left it: its signed
    sidecar names night K's anchor line, not a later night's head (whose decisions it lacks); an
    export of the record as it stands names the last line."""
    published_nights(engine, settings)
    lines = read_anchors(anchor_path(settings), None).lines
    assert [d["night"] for d in lines] == ["2026-07-15", "2026-07-21", "2026-07-22"]
    heads = {}
    for known in ("2026-07-15", "2026-07-21", None):
        out = tmp_path / f"abnormal-{known}.csv"
        args = ["roster", "export", "--roster", "abnormal", "--out", str(out)]
        r = runner.invoke(app, args + (["--known-at", known] if known else []))
        assert r.exit_code == 0, r.output
        side = json.loads((tmp_path / f"{out.name}.sig.json").read_text(encoding="utf-8"))
        heads[known] = side["chain_head"]
        assert verify_file(out, signer_for(settings).public_key, None).ok
    assert heads["2026-07-15"] == lines[0] and heads["2026-07-21"] == lines[1]
    assert heads[None] == lines[2]


def test_a_rotated_key_keeps_every_anchor_verifiable_and_the_old_key_cannot_sign_after_it(
        engine: Engine, settings: Settings, cli_env: None, tmp_path: Path) -> None:
    """`credit keys rotate` between two nights: the anchor file holds lines of both keys and `credit
    audit verify` passes, with this installation's keys or with the old public key an outsider kept
    (the keyring chains it to the new one). Before the keyring, any change of key failed every
    earlier line (README, "The signing key is not rotated"). A line the old key signs after the
    hand-over (its private key kept by someone) is named."""
    old = signer_for(settings)
    (tmp_path / "old.pem").write_text(old.public_pem, encoding="ascii")
    with engine.begin() as c:
        for u, n in NAMES.items():
            register(c, u, n)
        annual_report(c, B, 2025, "2026-03-01")
    run_night(engine, settings, "2026-07-15")
    assert publish_anchors(engine, settings) == 1
    rotated = runner.invoke(app, ["keys", "rotate"])
    assert rotated.exit_code == 0, rotated.output
    new = signer_for(settings)
    assert new.key_id != old.key_id
    run_night(engine, settings, "2026-07-21")
    assert publish_anchors(engine, settings) == 1
    path = anchor_path(settings)
    signed_by = [json.loads(x)["signature"]["key_id"] for x in path.read_text(encoding="utf-8").splitlines()]
    assert signed_by == [old.key_id, new.key_id]
    for args in ([], ["--public-key", str(tmp_path / "old.pem")]):
        ok = runner.invoke(app, ["audit", "verify", *args])
        assert ok.exit_code == 0, ok.output
    # the old key, still held somewhere, signs a third line after its successor's: named
    lines = path.read_text(encoding="utf-8").splitlines()
    last = json.loads(lines[-1])
    forged = old.sign_document({k: v for k, v in {**last, "night": "2026-07-22",
                                                   "prev": line_digest(lines[-1])}.items() if k != "signature"})
    path.write_text("\n".join([*lines, canonical(forged).decode("utf-8")]) + "\n", encoding="utf-8")
    found = read_anchors(path, keyring_for(settings))
    assert any("line 3" in p and "handed over" in p for p in found.problems), found.problems
    bad = runner.invoke(app, ["audit", "verify"])
    assert bad.exit_code == 1 and "handed over" in " ".join(bad.output.split()), bad.output


def test_a_refused_publication_does_not_start_a_keyring_of_its_own(
        engine: Engine, settings: Settings, cli_env: None) -> None:
    """The keyring lost (a publication folder restored without it) after a rotation: the anchor
    file holds lines of both keys. The publication is refused (the old key's lines do not verify
    with the new key alone), and it leaves the keyring missing, as it leaves a missing anchor file
    missing: a keyring of the new key alone, written by it, would stand where the bureau's
    published chain belongs (restored from its copy)."""
    with engine.begin() as c:
        for u, n in NAMES.items():
            register(c, u, n)
        annual_report(c, B, 2025, "2026-03-01")
    run_night(engine, settings, "2026-07-15")
    assert publish_anchors(engine, settings) == 1
    assert runner.invoke(app, ["keys", "rotate"]).exit_code == 0
    run_night(engine, settings, "2026-07-21")
    assert publish_anchors(engine, settings) == 1
    ring = keyring_path(settings)
    ring.unlink()
    run_night(engine, settings, "2026-07-22")
    assert publish_anchors(engine, settings) == 0
    assert not ring.exists()


def test_the_published_key_with_an_unreadable_keyring_is_a_refusal_not_a_server_error(
        live) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """GET /v1/keys/signing when the keyring cannot be read (a folder in its place): 503 with the
    reason in Chinese and English, as a certificate is refused, not a 500."""
    keyring_path(live.settings).mkdir(parents=True)
    with live.client() as h:
        r = h.get("/v1/keys/signing")
    assert r.status_code == 503 and "密钥清单" in r.text, (r.status_code, r.text)
