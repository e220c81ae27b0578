"""The nightly spine against PostgreSQL: drop → manifest → normalise → GX → quarantine → store."""

from __future__ import annotations

import hashlib
import io
import json
import threading
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from credit.contract.sources import SOURCES
from credit.night.issues import NightRefused
from credit.night.records import NightSummary
from credit.night.steps import run_night
from credit.settings import Settings
from tests.dropkit import code, csv_bytes, csv_file, parquet_bytes, registration_row, write_night

NIGHT = date(2026, 7, 13)
A, B, C = code(body="MA2B3C4D"), code(body="MA2B3C4E"), code(body="MA2B3C4F")


def one_valid_row_per_source() -> dict[str, dict[str, str]]:
    return {
        "registration": registration_row(A),
        "annual_reports": {"uscc": A, "report_year": "2025", "filed_on": "2026-05-20", "employees": "12",
                           "revenue": "1200000.50", "total_tax": "35000"},
        "tax": {"uscc": A, "assessed_year": "2025", "tax_credit_grade": "B", "abnormal_taxpayer_since": "",
                "arrears": "0", "updated_on": "2026-04-01"},
        "social_security": {"uscc": A, "period": "2026-06", "insured_count": "11", "arrears": "0",
                            "arrears_months": "0"},
        "penalties": {"case_no": "杭西市监罚〔2026〕17号", "uscc": A, "decided_on": "2026-03-16",
                      "doc_no": "杭西市监处罚〔2026〕17号", "category": "food_safety", "measures": "warning;fine",
                      "fine_amount": "5000", "heavier": "false", "fulfilled_on": "2026-04-01"},
        "findings": {"finding_id": "F-2026-001", "uscc": A, "kind": "unreachable_address", "found_on": "2026-07-01",
                     "doc_no": "杭西市监核〔2026〕3号", "department": "西湖区市场监督管理局"},
        "inspection_results": {"task_id": "T2026-0001", "uscc": A, "inspected_on": "2026-06-18",
                               "result_code": "normal", "result": "未发现问题", "inspector_ids": "I0001;I0002",
                               "doc_no": "杭西市监查〔2026〕9号"},
        "inspectors": {"inspector_id": "I0001", "name": "王芳", "department": "西湖区市场监督管理局",
                       "region_code": "330106", "fields": "F;C", "active": "true", "conflicts": ""},
        "bank_credit": {"uscc": A, "period": "2026-06", "lenders": "2", "loans_outstanding": "800000.00",
                        "overdue_amount": "0", "max_overdue_days": "0", "in_default": "false",
                        "updated_on": "2026-07-05"},
    }


def checksums(engine: Engine) -> dict[str, str]:
    """A digest of every table's full content (schema ``public``), the night's staging aside (not published)."""
    with engine.connect() as c:
        tables = c.execute(sa.text("select tablename from pg_tables where schemaname = 'public' "
                                   "and tablename not like 'night\\_staging\\_%' order by 1")).scalars().all()
        return {t: c.execute(sa.text(f"select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) "
                                     f"from {t} x")).scalar_one() for t in tables}


@pytest.mark.parametrize("fmt", ["utf-8", "utf-8-bom", "gb18030", "parquet"])
def test_every_source_in_every_encoding_and_format(fmt: str, settings: Settings, engine: Engine,
                                                   tmp_path: Path) -> None:
    files: dict[str, tuple[str, str, bytes, str | None, int]] = {}
    for name, row in one_valid_row_per_source().items():
        if fmt == "parquet":
            files[f"{name}.parquet"] = (name, "full", parquet_bytes(name, [row]), None, 1)
        else:
            enc = "gb18030" if fmt == "gb18030" else "utf-8"
            files[f"{name}.csv"] = (name, "full", csv_bytes(name, [row], enc, bom=fmt == "utf-8-bom"), enc, 1)
    write_night(tmp_path / "drop", NIGHT, files)
    summary = run_night(tmp_path / "drop", NIGHT, settings)
    assert {f["source"]: (f["accepted"], f["quarantined"]) for f in summary["files"]} == {
        s: (1, 0) for s in SOURCES}
    with engine.connect() as c:
        for s in SOURCES:
            assert c.execute(sa.text(f"select count(*) from {s}")).scalar() == 1, s
        name, measures = c.execute(sa.text(
            "select r.name, p.measures from registration r join penalties p using (uscc)")).one()
    assert name == "杭州示例贸易有限公司" and measures == ["warning", "fine"]


DEFECTS = [
    # (column overrides, accepted?, rule expected in quarantine)
    ({"uscc": A[:17] + ("0" if A[17] != "0" else "1")}, False, "uscc_check_digit"),
    ({"established_on": "2026-02-30"}, False, "date_exists"),
    ({"established_on": "2026-08-01"}, False, "date_not_after_night"),
    ({"registered_capital": "abc"}, False, "expect_column_values_to_match_regex(registered_capital)"),
    ({"status": "dormant"}, False, "expect_column_values_to_be_in_set(status)"),
    ({"name": ""}, False, "expect_column_values_to_not_be_null(name)"),
    ({"region_code": "33010"}, False, "expect_column_values_to_match_regex(region_code)"),
    ({"status": "revoked", "status_on": "2014-01-01"}, False, "not_before"),   # revoked before it was established
    # A record changed after the night it comes in has not happened yet (contracts.md §1: a night's
    # drop holds what changed up to that night; quarantine what cannot be true): s28drop gap 2.
    ({"updated_at": "2026-07-14T00:00:01"}, False, "date_not_after_night"),
    ({"updated_at": "2099-01-01"}, False, "date_not_after_night"),
    # Unambiguous defects are normalised, not quarantined (contracts.md §1).
    ({"uscc": A.lower()}, True, None),
    ({"uscc": " " + A[:9] + " " + A[9:]}, True, None),
    ({"registered_capital": "１２３４５．６７"}, True, None),
    ({"established_on": "2015/3/2"}, True, None),
    ({"established_on": "２０１５－０３－０２"}, True, None),
    ({"status": " Operating "}, True, None),
    ({"updated_at": "2026-07-13T23:59:59"}, True, None),   # the night's own day, any hour
]


@pytest.mark.parametrize(("override", "accepted", "rule"), DEFECTS)
def test_each_defect_is_normalised_or_quarantined_with_its_reason(
        override: dict[str, str], accepted: bool, rule: str | None, settings: Settings, engine: Engine,
        tmp_path: Path) -> None:
    rows = [registration_row(B), {**registration_row(A), **override}]
    write_night(tmp_path / "drop", NIGHT, {"registration.csv": csv_file("registration", "full", rows)})
    run_night(tmp_path / "drop", NIGHT, settings)
    with engine.connect() as c:
        q = c.execute(sa.text("select line, rule, reason, raw from quarantine")).mappings().all()
        loads = c.execute(sa.text("select rows_in, accepted, quarantined from file_loads")).one()
        stored = c.execute(sa.text("select uscc, registered_capital, established_on from registration "
                                   "where uscc = :a"), {"a": A}).one_or_none()
    assert loads == (2, 2 - len(q), len(q))
    if accepted:
        assert q == [] and stored is not None
        assert str(stored.registered_capital) in ("1000000.00", "12345.67")
    else:
        assert stored is None
        assert len(q) == 1 and q[0]["line"] == 3 and rule in q[0]["rule"]
        assert q[0]["reason"] and q[0]["raw"]["uscc"] == rows[1]["uscc"]  # the row as delivered


def test_duplicated_keys_exact_copies_keep_one_conflicts_keep_none(settings: Settings, engine: Engine,
                                                                    tmp_path: Path) -> None:
    rows = [registration_row(A), registration_row(A),                      # exact duplicate
            registration_row(B, name="甲公司"), registration_row(B, name="乙公司"),  # conflicting
            registration_row(C)]
    write_night(tmp_path / "drop", NIGHT, {"registration.csv": csv_file("registration", "full", rows)})
    run_night(tmp_path / "drop", NIGHT, settings)
    with engine.connect() as c:
        stored = c.execute(sa.text("select uscc from registration order by uscc")).scalars().all()
        q = c.execute(sa.text("select line, rule from quarantine order by line")).all()
    assert stored == sorted([A, C])
    assert [(line, rule) for line, rule in q] == [
        (3, "duplicate_row"), (4, "conflicting_duplicate_key"), (5, "conflicting_duplicate_key")]


def _good_night(tmp_path: Path) -> Path:
    drop = tmp_path / "drop"
    write_night(drop, NIGHT, {
        "registration.csv": csv_file("registration", "full", [registration_row(A), registration_row(B)], "gb18030"),
    })
    return drop


BREAKAGE_RULES = {"sha256": "sha256_mismatch", "rows": "row_count_mismatch", "missing_file": "file_missing",
                  "unknown_source": "unknown_source", "encoding": "encoding_mismatch",
                  "missing_column": "missing_columns", "night": "manifest_night"}


@pytest.mark.parametrize("breakage", list(BREAKAGE_RULES))
def test_a_broken_manifest_or_file_refuses_the_night_and_changes_no_table(
        breakage: str, settings: Settings, engine: Engine, tmp_path: Path) -> None:
    drop = _good_night(tmp_path)
    run_night(drop, NIGHT, settings)
    night2 = date(2026, 7, 14)
    folder = write_night(drop, night2, {
        "registration.csv": csv_file("registration", "delta", [registration_row(C)], "gb18030")})
    manifest = json.loads((folder / "manifest.json").read_text())
    entry = manifest["files"]["registration.csv"]
    if breakage == "sha256":
        entry["sha256"] = "0" * 64
    elif breakage == "rows":
        entry["rows"] = 2
    elif breakage == "missing_file":
        (folder / "registration.csv").unlink()
    elif breakage == "unknown_source":
        entry["source"] = "weather"
    elif breakage == "encoding":
        entry["encoding"] = "utf-8"   # the bytes are GB18030
    elif breakage == "missing_column":
        content = csv_bytes("registration", [registration_row(C)], columns=[
            c for c in SOURCES["registration"].column_names if c != "status"])
        (folder / "registration.csv").write_bytes(content)
        entry.update(sha256=hashlib.sha256(content).hexdigest(), encoding="utf-8")
    elif breakage == "night":
        manifest["night"] = "2026-07-15"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    before = checksums(engine)
    with pytest.raises(NightRefused) as refused:
        run_night(drop, night2, settings)
    assert checksums(engine) == before
    expected_file = "manifest.json" if breakage == "night" else "registration.csv"
    assert expected_file in str(refused.value)
    [issue] = refused.value.issues
    assert (issue.file, issue.code, issue.level) == (expected_file, BREAKAGE_RULES[breakage], "refusal")
    assert issue.zh and issue.en and issue.text().endswith(f"[{issue.code}]")
    if breakage == "encoding":
        assert issue.line == 2  # the first line with a GB18030 name (line 1 is the ASCII header)



def test_rerunning_a_night_changes_nothing_even_twice_at_once(settings: Settings, engine: Engine,
                                                              tmp_path: Path) -> None:
    drop = _good_night(tmp_path)
    run_night(drop, NIGHT, settings)
    first = checksums(engine)
    results: list[NightSummary] = []

    def again() -> None:
        results.append(run_night(drop, NIGHT, settings))

    threads = [threading.Thread(target=again) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2 and all(r.get("already_published") for r in results)
    assert checksums(engine) == first


def test_two_first_runs_at_once_publish_once(settings: Settings, engine: Engine, tmp_path: Path) -> None:
    drop = _good_night(tmp_path)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            run_night(drop, NIGHT, settings)
        except BaseException as e:  # noqa: BLE001 - collected for the assertion below
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from night_runs")).scalar() == 1
        assert c.execute(sa.text("select count(*) from registration_history")).scalar() == 2


def test_history_keeps_every_change_and_full_snapshots_drop_what_they_lack(
        settings: Settings, engine: Engine, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    rows = [registration_row(code(body=f"MA2B3C{i:02d}")) for i in range(10)]
    write_night(drop, NIGHT, {"registration.csv": csv_file("registration", "full", rows)})
    run_night(drop, NIGHT, settings)
    changed = dict(rows[0], status="cancelled", status_on="2026-07-13")
    write_night(drop, date(2026, 7, 14), {"registration.csv": csv_file("registration", "delta", [changed, rows[1]])})
    run_night(drop, date(2026, 7, 14), settings)
    write_night(drop, date(2026, 7, 15), {"registration.csv": csv_file("registration", "full", [changed] + rows[1:9])})
    run_night(drop, date(2026, 7, 15), settings)
    with engine.connect() as c:
        hist = c.execute(sa.text("select night, change, count(*) from registration_history "
                                 "group by 1, 2 order by 1, 2")).all()
        status = c.execute(sa.text("select status from registration where uscc = :u"),
                           {"u": rows[0]["uscc"]}).scalar()
        assert c.execute(sa.text("select count(*) from registration")).scalar() == 9
    assert [(n.isoformat(), ch, k) for n, ch, k in hist] == [
        ("2026-07-13", "new", 10), ("2026-07-14", "changed", 1), ("2026-07-15", "dropped", 1)]
    assert status == "cancelled"


def test_a_truncated_full_snapshot_is_refused(settings: Settings, engine: Engine, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    # 60 rows: at least ceiling_min_rows (50), below which a source may shrink (see the next test)
    rows = [registration_row(code(body=f"MA2B3C{i:02d}")) for i in range(60)]
    write_night(drop, NIGHT, {"registration.csv": csv_file("registration", "full", rows)})
    run_night(drop, NIGHT, settings)
    write_night(drop, date(2026, 7, 14), {"registration.csv": csv_file("registration", "full", rows[:30])})
    with pytest.raises(NightRefused, match="full_snapshot_shrink") as refused:
        run_night(drop, date(2026, 7, 14), settings)
    assert "--accept-shrink registration" in str(refused.value)
    # The clerk confirms a genuine shrink (outsider's report M4): published, and recorded with the night.
    summary = run_night(drop, date(2026, 7, 14), settings, accept_shrink=("registration",))
    assert [i["code"] for i in summary["shrink_accepted"]] == ["full_snapshot_shrink_accepted"]
    assert summary["merges"][0]["dropped"] == 30
    with engine.connect() as c:
        stored = c.execute(sa.text("select summary -> 'shrink_accepted' -> 0 ->> 'file' from night_runs "
                                   "where night = '2026-07-14'")).scalar_one()
    assert stored == "registration.csv"


def test_a_small_source_may_shrink_but_not_to_nothing(settings: Settings, engine: Engine, tmp_path: Path) -> None:
    # Fewer stored rows than ceiling_min_rows are too few for a share to mean anything (outsider's
    # report M4: two penalties becoming one, 50 %, could not be published); an empty full snapshot
    # is still refused: a header-only file is the truncation the check is for.
    drop = tmp_path / "drop"
    base = one_valid_row_per_source()["penalties"]
    cases = [base, {**base, "case_no": "杭西市监罚〔2026〕18号", "doc_no": "杭西市监处罚〔2026〕18号"}]
    write_night(drop, NIGHT, {"registration.csv": csv_file("registration", "full", [registration_row(A)]),
                              "penalties.csv": csv_file("penalties", "full", cases)})
    run_night(drop, NIGHT, settings)
    write_night(drop, date(2026, 7, 14), {"penalties.csv": csv_file("penalties", "full", [])})
    with pytest.raises(NightRefused, match="full_snapshot_shrink"):
        run_night(drop, date(2026, 7, 14), settings)
    other = tmp_path / "other"
    write_night(other, date(2026, 7, 14), {"penalties.csv": csv_file("penalties", "full", cases[:1])})
    summary = run_night(other, date(2026, 7, 14), settings)
    assert summary["merges"][0]["dropped"] == 1 and "shrink_accepted" not in summary
    # published, and said: the clerk sees the small source's shrink in the night's summary
    assert [(i["code"], i["file"]) for i in summary["shrink_small"]] == [("full_snapshot_shrink_small", "penalties.csv")]


def test_nights_are_published_in_order(settings: Settings, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    write_night(drop, date(2026, 7, 14), {"registration.csv": csv_file("registration", "full", [registration_row(A)])})
    write_night(drop, NIGHT, {"registration.csv": csv_file("registration", "full", [registration_row(A)])})
    # On an empty store the earliest night delivered is the first (issue 14): 14 may not jump 13 …
    with pytest.raises(NightRefused, match="night_gap"):
        run_night(drop, date(2026, 7, 14), settings)
    # … and --allow-gap does not skip a night the platform delivered (outsider's report M3): it
    # would be lost for good, refused as out of order once 14 is published.
    with pytest.raises(NightRefused, match="night_gap_delivered") as refused:
        run_night(drop, date(2026, 7, 14), settings, allow_gap=True)
    assert "2026-07-13" in str(refused.value)
    # A drop folder without 13 (the platform delivered nothing for it): an officer may confirm the
    # gap; then 13 is too old.
    other = tmp_path / "other"
    write_night(other, date(2026, 7, 14), {"registration.csv": csv_file("registration", "full", [registration_row(A)])})
    run_night(other, date(2026, 7, 14), settings, allow_gap=True)
    with pytest.raises(NightRefused, match="night_out_of_order"):
        run_night(drop, NIGHT, settings)


def test_allow_gap_refuses_to_skip_a_night_published_after_the_first(settings: Settings, tmp_path: Path) -> None:
    # The outsider's case (M3): 22 delivered and valid, 23 run with --allow-gap after 21.
    drop = tmp_path / "drop"
    for night in (date(2026, 7, 21), date(2026, 7, 22), date(2026, 7, 23)):
        write_night(drop, night, {"registration.csv": csv_file("registration", "full", [registration_row(A)])})
    run_night(drop, date(2026, 7, 21), settings)
    with pytest.raises(NightRefused) as refused:
        run_night(drop, date(2026, 7, 23), settings, allow_gap=True)
    assert [i.code for i in refused.value.issues] == ["night_gap_delivered"]
    assert "2026-07-22" in refused.value.issues[0].zh and "2026-07-22" in refused.value.issues[0].en
    run_night(drop, date(2026, 7, 22), settings)
    run_night(drop, date(2026, 7, 23), settings)


def test_a_delivered_night_refused_for_good_can_be_given_up_by_name(settings: Settings, engine: Engine,
                                                                     tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """22 is delivered but refused for good (its file disagrees with its checksum, and the platform
    cannot deliver it again). Before --skip-night, 23 was refused without --allow-gap (night_gap:
    run 22 first) and with it (night_gap_delivered: run 22 first): every later night was blocked
    and no message named a way out."""
    from credit import settings as settings_module
    from credit.cli.main import app

    drop = tmp_path / "drop"
    for night in (date(2026, 7, 21), date(2026, 7, 22), date(2026, 7, 23)):
        write_night(drop, night, {"registration.csv": csv_file("registration", "full", [registration_row(A)])})
    (drop / "2026-07-22" / "registration.csv").write_bytes(b"damaged")
    run_night(drop, date(2026, 7, 21), settings)
    before = checksums(engine)
    with pytest.raises(NightRefused, match="sha256"):
        run_night(drop, date(2026, 7, 22), settings)
    with pytest.raises(NightRefused) as refused:
        run_night(drop, date(2026, 7, 23), settings, allow_gap=True)
    [gap] = refused.value.issues
    assert gap.code == "night_gap_delivered" and "--skip-night" in gap.zh and "--skip-night" in gap.en   # the way out
    # The officer's word names the night, and only with --allow-gap, and only a night the gap skips.
    with pytest.raises(NightRefused, match="night_skip_needs_gap"):
        run_night(drop, date(2026, 7, 23), settings, skip_nights=[date(2026, 7, 22)])
    with pytest.raises(NightRefused, match="night_skip_not_in_gap"):
        run_night(drop, date(2026, 7, 23), settings, allow_gap=True, skip_nights=[date(2026, 7, 22), date(2026, 7, 21)])
    assert checksums(engine) == before   # nothing published by the refusals
    monkeypatch.setenv("CREDIT_DATABASE_URL", settings.database_url or "")
    monkeypatch.setenv("CREDIT_HOME", str(settings.home))
    settings_module.get_settings.cache_clear()
    try:
        done = CliRunner().invoke(app, ["nightly", "--date", "2026-07-23", "--drop", str(drop), "--allow-gap",
                                        "--skip-night", "2026-07-22", "--json"])
    finally:
        settings_module.get_settings.cache_clear()
    assert done.exit_code == 0, done.output
    with engine.connect() as c:
        recorded = c.execute(sa.text("select summary from night_runs where night = '2026-07-23'")).scalar_one()
    assert recorded["gap_allowed"] is True and recorded["skipped_delivered"] == ["2026-07-22"]


def test_cli_nightly_exit_codes(settings: Settings, engine: Engine, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    from credit import settings as settings_module
    from credit.cli.main import app

    monkeypatch.setenv("CREDIT_DATABASE_URL", settings.database_url or "")
    monkeypatch.setenv("CREDIT_HOME", str(settings.home))
    settings_module.get_settings.cache_clear()
    drop = _good_night(tmp_path)
    runner = CliRunner()
    ok = runner.invoke(app, ["nightly", "--date", NIGHT.isoformat(), "--drop", str(drop)])
    assert ok.exit_code == 0, ok.output
    assert "registration.csv" in ok.output
    before = checksums(engine)
    again = runner.invoke(app, ["nightly", "--date", NIGHT.isoformat(), "--drop", str(drop)])
    assert again.exit_code == 0 and "already published" in again.output
    refused = runner.invoke(app, ["nightly", "--date", "2026-07-14", "--drop", str(drop)])
    assert refused.exit_code == 2
    assert "manifest.json: 没有找到批次清单" in refused.output and "[manifest_missing]" in refused.output
    assert checksums(engine) == before
    settings_module.get_settings.cache_clear()


def test_a_skipped_night_is_refused_unless_an_officer_confirms_the_gap(settings: Settings, engine: Engine,
                                                                       tmp_path: Path) -> None:
    drop = _good_night(tmp_path)
    run_night(drop, NIGHT, settings)
    later = date(2026, 7, 15)
    write_night(drop, later, {"registration.csv": csv_file("registration", "delta", [registration_row(C)])})
    before = checksums(engine)
    with pytest.raises(NightRefused, match="night_gap") as refused:
        run_night(drop, later, settings)
    assert "2026-07-14" in str(refused.value)
    assert checksums(engine) == before
    summary = run_night(drop, later, settings, allow_gap=True)
    assert summary["gap_allowed"] is True


def test_an_empty_delta_is_a_night_without_changes(settings: Settings, engine: Engine, tmp_path: Path) -> None:
    drop = _good_night(tmp_path)
    run_night(drop, NIGHT, settings)
    write_night(drop, date(2026, 7, 14), {
        "findings.csv": csv_file("findings", "delta", [], "utf-8"),
        "penalties.csv": csv_file("penalties", "delta", [], "gb18030"),
    })
    before = checksums(engine)["registration"]
    summary = run_night(drop, date(2026, 7, 14), settings)
    assert [(f["rows_in"], f["accepted"], f["quarantined"], f["failures"]) for f in summary["files"]] == [
        (0, 0, 0, []), (0, 0, 0, [])]
    assert checksums(engine)["registration"] == before


def test_the_report_is_written_after_the_commit_and_named_in_the_summary(settings: Settings, engine: Engine,
                                                                        tmp_path: Path) -> None:
    summary = run_night(_good_night(tmp_path), NIGHT, settings)
    report = Path(summary["grading"]["report"])
    assert report == settings.reports_dir / NIGHT.isoformat() / "index.html" and report.is_file()
    with engine.connect() as c:
        stored = c.execute(sa.text("select summary from night_runs")).scalar_one()
    assert stored["grading"]["report"] == str(report)
    # the stored summary also records, after the night, the anchor line published for it
    # (anchor_published: credit.rosters.anchors); everything else is what the night returned
    after = ("stages", "anchor_published")
    assert "anchor_published" in stored
    assert {k: v for k, v in stored.items() if k not in after} == {k: v for k, v in summary.items() if k not in after}


def test_a_quarantine_ceiling_refusal_names_file_and_rule_and_warnings_are_records(
        settings: Settings, engine: Engine, tmp_path: Path) -> None:
    bad = [registration_row(code(body=f"MA2B3C{i:02d}"), established_on="2026-02-30") for i in range(60)]
    write_night(tmp_path / "drop", NIGHT, {"registration.csv": csv_file("registration", "full", bad),
                                           "findings.csv": csv_file("findings", "full", [])})
    with pytest.raises(NightRefused) as refused:
        run_night(tmp_path / "drop", NIGHT, settings)
    assert [(i.file, i.code) for i in refused.value.issues] == [("registration.csv", "quarantine_ceiling")]
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from night_runs")).scalar() == 0
    write_night(tmp_path / "drop", NIGHT, {"registration.csv": csv_file("registration", "full", [registration_row(A)]),
                                           "findings.csv": csv_file("findings", "full", [])})
    summary = run_night(tmp_path / "drop", NIGHT, settings)
    findings = next(f for f in summary["files"] if f["source"] == "findings")
    assert [(w["code"], w["level"], w["file"]) for w in findings["warnings"]] == [
        ("empty_full_snapshot", "warning", "findings.csv")]


# -- without a database ----------------------------------------------------------------------



@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_old_penalty_drops_without_the_optional_columns_keep_working(fmt: str, settings: Settings, engine: Engine,
                                                                     tmp_path: Path) -> None:
    # contracts.md §1: restricted_until and revoked_on are optional; a drop of the older format is
    # read as if they were empty, a newer drop carries them into the store and its history.
    drop = tmp_path / "drop"
    old_columns = [c for c in SOURCES["penalties"].column_names if c not in ("restricted_until", "revoked_on")]
    old = {**one_valid_row_per_source()["penalties"]}
    if fmt == "csv":
        content = csv_bytes("penalties", [old], columns=old_columns)
    else:
        buf = io.BytesIO()
        pq.write_table(pa.table({c: pa.array([old[c]], pa.string()) for c in old_columns}), buf)
        content = buf.getvalue()
    write_night(drop, NIGHT, {
        "registration.csv": csv_file("registration", "full", [registration_row(A)], "utf-8"),
        f"penalties.{fmt}": ("penalties", "full", content, "utf-8" if fmt == "csv" else None, 1),
    })
    run_night(drop, NIGHT, settings)
    with engine.connect() as c:
        row = c.execute(sa.text("select case_no, restricted_until, revoked_on from penalties")).one()
    assert row == ("杭西市监罚〔2026〕17号", None, None)
    newer = {**old, "category": "false_disclosure", "heavier": "true", "measures": "fine;practice_ban",
             "restricted_until": "2031-03-16", "revoked_on": "2026-07-10"}
    write_night(drop, date(2026, 7, 14), {
        "penalties.csv": csv_file("penalties", "delta", [newer], "utf-8")})
    run_night(drop, date(2026, 7, 14), settings)
    with engine.connect() as c:
        row = c.execute(sa.text("select category, restricted_until, revoked_on from penalties")).one()
        hist = c.execute(sa.text("select count(*) from penalties_history where revoked_on is not null")).scalar_one()
    assert row == ("false_disclosure", date(2031, 3, 16), date(2026, 7, 10)) and hist == 1


@pytest.mark.parametrize(("fmt", "mode"), [("csv", "delta"), ("parquet", "full")])
def test_an_older_format_redelivery_keeps_the_stored_optional_columns(fmt: str, mode: str, settings: Settings,
                                                                      engine: Engine, tmp_path: Path) -> None:
    # contracts.md §1: restricted_until and revoked_on are "optional (older drops lack them)". A
    # column absent from a file states nothing: a case the older format delivers again keeps the
    # stored values (outsider's report M1: a revoked penalty came back to life). An empty cell of
    # a file that has the column still means unknown.
    drop = tmp_path / "drop"
    row = {**one_valid_row_per_source()["penalties"], "measures": "fine;business_restricted",
           "restricted_until": "2031-03-16", "revoked_on": "2026-07-10"}
    other = {**row, "case_no": "杭西市监罚〔2026〕18号", "doc_no": "杭西市监处罚〔2026〕18号"}
    write_night(drop, NIGHT, {
        "registration.csv": csv_file("registration", "full", [registration_row(A)], "utf-8"),
        "penalties.csv": csv_file("penalties", "full", [row, other], "utf-8")})
    run_night(drop, NIGHT, settings)
    old_columns = [c for c in SOURCES["penalties"].column_names if c not in ("restricted_until", "revoked_on")]
    again = {**row, "fine_amount": "6000"}
    new = {**row, "case_no": "杭西市监罚〔2026〕19号", "doc_no": "杭西市监处罚〔2026〕19号"}
    rows = [again, new] + ([other] if mode == "full" else [])
    if fmt == "csv":
        content = csv_bytes("penalties", rows, columns=old_columns)
    else:
        buf = io.BytesIO()
        pq.write_table(pa.table({c: pa.array([r[c] for r in rows], pa.string()) for c in old_columns}), buf)
        content = buf.getvalue()
    night2 = date(2026, 7, 14)
    write_night(drop, night2, {f"penalties.{fmt}": ("penalties", mode, content, "utf-8" if fmt == "csv" else None,
                                                    len(rows))})
    summary = run_night(drop, night2, settings)
    assert [f.get("absent_columns") for f in summary["files"]] == [["restricted_until", "revoked_on"]]
    merged = summary["merges"][0]
    assert (merged["new"], merged["changed"], merged["dropped"]) == (1, 1, 0)   # `other`: unchanged
    with engine.connect() as c:
        stored = c.execute(sa.text("select case_no, fine_amount, restricted_until, revoked_on from penalties "
                                   "order by case_no")).all()
        hist = c.execute(sa.text("select revoked_on from penalties_history where night = :n and case_no = :k"),
                         {"n": night2, "k": row["case_no"]}).scalar_one()
    assert [(r[0], float(r[1]), r[2], r[3]) for r in stored] == [
        (row["case_no"], 6000.0, date(2031, 3, 16), date(2026, 7, 10)),
        (other["case_no"], 5000.0, date(2031, 3, 16), date(2026, 7, 10)),
        (new["case_no"], 5000.0, None, None)]
    assert hist == date(2026, 7, 10)
    # A file that has the columns and leaves them empty says "unknown": that is merged as it says.
    write_night(drop, date(2026, 7, 15), {"penalties.csv": csv_file(
        "penalties", "delta", [{**again, "restricted_until": "", "revoked_on": ""}], "utf-8")})
    run_night(drop, date(2026, 7, 15), settings)
    with engine.connect() as c:
        assert c.execute(sa.text("select restricted_until, revoked_on from penalties where case_no = :k"),
                         {"k": row["case_no"]}).one() == (None, None)
