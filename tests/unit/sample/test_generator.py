"""The sample generator (credit.sample) against the drop contract (contracts.md §1).

Small drops (≤ 2,000 entities) keep this file fast; each generated drop is shared by the tests
of the module. The checks here re-implement what they check (USCC positions 17 and 18, CSV
parsing) instead of calling the generator's own helpers.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import unicodedata
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import yaml
from stdnum.cn import uscc as stdnum_uscc

import credit
from credit.contract.regions import COUNTY_BY_CODE, PROVINCE_CODE
from credit.contract.sources import SOURCES
from credit.draws.inspectors import department_match, department_matches
from credit.sample import defects_path, drop_column, write_sample
from credit.sample.inspectors import DIVISIONS

# The contract's columns, copied from contracts.md §1 (not from the generator).
CONTRACT = {
    "registration": "uscc, name, entity_kind, legal_form, region_code, industry_code, registered_capital, "
                    "established_on, status, status_on, address, legal_rep_hash, updated_at",
    "annual_reports": "uscc, report_year, filed_on, employees, revenue, total_tax",
    "tax": "uscc, assessed_year, tax_credit_grade, abnormal_taxpayer_since, arrears, updated_on",
    "social_security": "uscc, period, insured_count, arrears, arrears_months",
    "penalties": "case_no, uscc, decided_on, doc_no, category, measures, fine_amount, heavier, fulfilled_on, "
                 "restricted_until, revoked_on",
    "findings": "finding_id, uscc, kind, found_on, doc_no, department",
    "inspection_results": "task_id, uscc, inspected_on, result_code, result, inspector_ids, doc_no",
    "inspectors": "inspector_id, name, department, region_code, fields, active, conflicts",
    "bank_credit": "uscc, period, lenders, loans_outstanding, overdue_amount, max_overdue_days, in_default, "
                   "updated_on",
}
COLUMNS = {s: [c.strip() for c in cols.split(",")] for s, cols in CONTRACT.items()}
KEYS = {"registration": ["uscc"], "annual_reports": ["uscc", "report_year"], "tax": ["uscc", "assessed_year"],
        "social_security": ["uscc", "period"], "penalties": ["case_no"], "findings": ["finding_id"],
        "inspection_results": ["task_id", "uscc"], "inspectors": ["inspector_id"],
        "bank_credit": ["uscc", "period"]}
ENUMS = {
    ("registration", "entity_kind"): {"enterprise", "individual", "farmer_coop"},
    ("registration", "status"): {"operating", "revoked", "cancelled", "moved_out"},
    ("tax", "tax_credit_grade"): set("ABMCD"),
    ("penalties", "category"): {"food_safety", "drugs_devices_cosmetics", "quality_special_equipment",
                                "consumer_rights", "fair_competition", "registration_fraud", "unlicensed",
                                "obstruction", "false_disclosure", "other"},
    ("penalties", "heavier"): {"true", "false"},
    ("findings", "kind"): {"unreachable_address", "false_disclosure", "ordered_disclosure_overdue",
                           "contact_restored", "disclosure_corrected", "ordered_disclosure_done"},
    ("inspection_results", "result_code"): {"normal", "not_disclosed", "false_disclosure", "unreachable",
                                            "ordered_to_correct", "not_cooperating", "not_operating",
                                            "pending"},
    ("inspectors", "active"): {"true", "false"},
    ("bank_credit", "in_default"): {"true", "false"},
}
MEASURES = {"warning", "criticism", "fine", "confiscation", "qualification_downgrade", "licence_revoked",
            "business_licence_revoked", "business_restricted", "suspension", "closure", "practice_ban"}
HEAVY = {"qualification_downgrade", "licence_revoked", "business_licence_revoked", "business_restricted",
         "suspension", "closure", "practice_ban"}
USCC_COLUMNS = {"uscc"}
DATE_COLUMNS = {"established_on", "status_on", "filed_on", "abnormal_taxpayer_since", "updated_on",
                "decided_on", "fulfilled_on", "found_on", "inspected_on"}
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
START = date(2026, 7, 13)


# -- independent checks --------------------------------------------------------------------------
def gb11714_ok(code: str) -> bool:
    """Position 17 is the GB 11714 check of positions 9-16 (domain.md §1)."""
    values = [int(c) if c.isdigit() else ord(c) - ord("A") + 10 for c in code[8:16]]
    c = 11 - sum(v * w for v, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    return code[16] == {10: "X", 11: "0"}.get(c, str(c))


def uscc_ok(code: str) -> bool:
    return bool(stdnum_uscc.is_valid(code)) and gb11714_ok(code) and code == code.strip()


def normalised(value: str) -> str:
    """What the contract allows a consumer to fix: full width, spaces, case, '/' in dates."""
    return unicodedata.normalize("NFKC", value).strip().upper().replace("/", "-")


# -- reading a night ------------------------------------------------------------------------------
def manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def ledger(folder: Path) -> dict[str, list[dict[str, Any]]]:
    return json.loads(defects_path(folder).read_text(encoding="utf-8"))


def lines(folder: Path, name: str) -> list[list[str]]:
    """Physical lines (header first) split into fields; Parquet rows numbered the same way."""
    path = folder / name
    if name.endswith(".parquet"):
        table = pq.read_table(path)
        rows = [[v if v is not None else "" for v in r.values()] for r in table.to_pylist()]
        return [table.column_names, *rows]
    encoding = manifest(folder)["files"][name]["encoding"]
    raw = path.read_bytes()
    text = raw.decode(encoding)
    text = text.removeprefix("\ufeff")
    eol = "\r\n" if "\r\n" in text else "\n"
    physical = text.split(eol)
    assert physical[-1] == "", f"{name} must end with a line break"
    return [line.split(",") for line in physical[:-1]]


def records(folder: Path, name: str, clean_only: bool = True) -> list[dict[str, str]]:
    all_lines = lines(folder, name)
    bad = {d["line"] for d in ledger(folder).get(name, [])} if clean_only else set()
    header = all_lines[0]
    return [dict(zip(header, row, strict=True)) for n, row in enumerate(all_lines[1:], start=2) if n not in bad]


def source_of(name: str) -> str:
    return name.rsplit(".", 1)[0]


# -- fixtures -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def drop(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_sample(tmp_path_factory.mktemp("a"), 1500, 6, seed=7, defect_rate=0.03)


@pytest.fixture(scope="module")
def drop_again(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_sample(tmp_path_factory.mktemp("b"), 1500, 6, seed=7, defect_rate=0.03)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_sample(tmp_path_factory.mktemp("c"), 2000, 4, seed=3, defect_rate=0.0)


# -- tests ----------------------------------------------------------------------------------------
def test_night_folders_are_consecutive_days(drop: list[Path]) -> None:
    assert [f.name for f in drop] == [date(2026, 7, d).isoformat() for d in range(13, 19)]
    for f in drop:
        assert manifest(f)["night"] == f.name
        assert "_defects.json" not in manifest(f)["files"]


def test_same_seed_same_bytes_other_seed_other_bytes(drop: list[Path], drop_again: list[Path],
                                                     tmp_path: Path) -> None:
    for a, b in zip(drop, drop_again, strict=True):
        assert (a / "manifest.json").read_bytes() == (b / "manifest.json").read_bytes()
        assert defects_path(a).read_bytes() == defects_path(b).read_bytes()
    other = write_sample(tmp_path, 1500, 1, seed=8, defect_rate=0.03)
    digests = {n: e["sha256"] for n, e in manifest(other[0])["files"].items()}
    for name, entry in manifest(drop[0])["files"].items():
        assert digests[name] != entry["sha256"], name


def test_bytes_do_not_depend_on_the_process(tmp_path: Path) -> None:
    """Another interpreter with another string-hash seed writes the same bytes."""
    here = write_sample(tmp_path / "here", 400, 4, seed=11)
    code = ("import sys; from pathlib import Path; from credit.sample import write_sample; "
            "write_sample(Path(sys.argv[1]), 400, 4, seed=11)")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "there")], check=True, env=env,
                   cwd=Path(__file__).resolve().parents[3])
    for folder in here:
        other = tmp_path / "there" / folder.name
        assert (folder / "manifest.json").read_bytes() == (other / "manifest.json").read_bytes(), folder.name
        assert defects_path(folder).read_bytes() == defects_path(other).read_bytes(), folder.name


def test_manifest_rows_and_checksums_match_the_files(drop: list[Path]) -> None:
    for folder in drop:
        for name, entry in manifest(folder)["files"].items():
            data = (folder / name).read_bytes()
            assert hashlib.sha256(data).hexdigest() == entry["sha256"], name
            assert len(lines(folder, name)) - 1 == entry["rows"], name
            assert entry["source"] == source_of(name)
            if name.endswith(".parquet"):
                assert "encoding" not in entry
            else:
                assert entry["encoding"] in ("utf-8", "gb18030")


def test_headers_are_exactly_the_contract(drop: list[Path]) -> None:
    seen = set()
    for folder in drop:
        for name in manifest(folder)["files"]:
            assert lines(folder, name)[0] == COLUMNS[source_of(name)], name
            seen.add(source_of(name))
    assert seen == set(COLUMNS)


def test_the_contract_module_says_what_contracts_md_says() -> None:
    """The generator takes columns, keys and value sets from credit.contract.sources: check that copy too."""
    assert {name: src.column_names for name, src in SOURCES.items()} == COLUMNS
    assert {name: list(src.key) for name, src in SOURCES.items()} == KEYS
    for (source, column), values in ENUMS.items():
        declared = SOURCES[source].column(column)
        assert set(declared.values) == values or declared.kind == "bool", (source, column)
    assert set(SOURCES["penalties"].column("measures").values) == MEASURES


def test_night_one_is_full_later_nights_are_deltas_of_changed_sources(drop: list[Path]) -> None:
    first = manifest(drop[0])["files"]
    assert {source_of(n) for n in first} == set(COLUMNS)
    assert all(e["mode"] == "full" for e in first.values())
    absent = 0
    for folder in drop[1:]:
        files = manifest(folder)["files"]
        assert all(e["mode"] == "delta" and e["rows"] >= 1 for e in files.values())
        absent += len(COLUMNS) - len(files)
        for name, entry in files.items():
            assert entry["rows"] < first[name]["rows"], name
    assert absent > 0, "some source should be unchanged on some night"
    # Only the files of the manifest are in a night folder (nothing a night would name as unlisted);
    # the ledger is beside it.
    for folder in drop:
        assert {p.name for p in folder.iterdir()} == {*manifest(folder)["files"], "manifest.json"}
        assert defects_path(folder).is_file()


def test_delta_rows_are_changes_of_their_night(drop: list[Path]) -> None:
    for folder in drop[1:]:
        night = date.fromisoformat(folder.name)
        yesterday = date.fromordinal(night.toordinal() - 1).isoformat()
        files = manifest(folder)["files"]
        for name in files:
            recs = records(folder, name)
            if name.startswith("registration"):
                assert all(r["updated_at"].startswith(yesterday) for r in recs)
            if name.startswith("annual_reports"):
                assert all(r["filed_on"] == yesterday and r["report_year"] == "2025" for r in recs)


def test_gb18030_file_is_really_gb18030(drop: list[Path]) -> None:
    entry = manifest(drop[0])["files"]["registration.csv"]
    assert entry["encoding"] == "gb18030"
    raw = (drop[0] / "registration.csv").read_bytes()
    assert "有限公司" in raw.decode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8", errors="strict")


def test_formats_are_mixed_and_declared(drop: list[Path]) -> None:
    first = manifest(drop[0])["files"]
    assert "tax.parquet" in first
    assert (drop[0] / "annual_reports.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert not (drop[0] / "social_security.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    encodings = {e.get("encoding") for e in first.values()}
    assert encodings == {"utf-8", "gb18030", None}


def test_every_clean_uscc_is_valid(drop: list[Path], clean: list[Path]) -> None:
    checked = 0
    for folder in [*drop, *clean]:
        for name in manifest(folder)["files"]:
            for r in records(folder, name):
                codes = [r["uscc"]] if "uscc" in r else []
                codes += [c for c in r.get("conflicts", "").split(";") if c]
                for code in codes:
                    assert uscc_ok(code), (folder.name, name, code)
                    checked += 1
    assert checked > 10_000


def test_usccs_are_realistic(clean: list[Path]) -> None:
    regs = records(clean[0], "registration.csv")
    kinds = {"enterprise": "1", "individual": "2", "farmer_coop": "3"}
    share = {k: sum(r["entity_kind"] == k for r in regs) / len(regs) for k in kinds}
    assert 0.33 < share["enterprise"] < 0.47 and 0.48 < share["individual"] < 0.62
    assert 0.02 < share["farmer_coop"] < 0.08
    assert len({r["uscc"] for r in regs}) == len(regs)
    for r in regs:
        code = r["uscc"]
        assert code[0] == "9" and code[1] == kinds[r["entity_kind"]]
        assert code[2:4] == PROVINCE_CODE[:2]
        assert r["region_code"] in COUNTY_BY_CODE
        # The registering authority is the entity's county bureau or its city bureau.
        assert code[2:8] in (r["region_code"], r["region_code"][:4] + "00")
        assert r["established_on"] < START.isoformat()
        assert re.fullmatch(r"[A-T]\d{2}", r["industry_code"])
        assert re.fullmatch(r"[0-9a-f]{64}", r["legal_rep_hash"])
    reps: dict[str, int] = {}
    for r in regs:
        reps[r["legal_rep_hash"]] = reps.get(r["legal_rep_hash"], 0) + 1
    shared = sum(n for n in reps.values() if n > 1)
    assert 0.005 * len(regs) < shared < 0.05 * len(regs)


def test_clean_drop_has_no_defects(clean: list[Path]) -> None:
    for folder in clean:
        assert all(entries == [] for entries in ledger(folder).values())
        night = folder.name
        for name in manifest(folder)["files"]:
            src = source_of(name)
            recs = records(folder, name, clean_only=False)
            keys = [tuple(r[k] for k in KEYS[src]) for r in recs]
            assert len(set(keys)) == len(keys), name
            for r in recs:
                for col, value in r.items():
                    if col in USCC_COLUMNS:
                        assert uscc_ok(value), value
                    if col in DATE_COLUMNS and value:
                        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) and value < night, (name, col, value)
                    if (src, col) in ENUMS and value:
                        assert value in ENUMS[(src, col)], (name, col, value)
                    if value != value.strip() or any("０" <= ch <= "９" for ch in value):
                        raise AssertionError((name, col, value))


def test_clean_drop_follows_the_domain(clean: list[Path]) -> None:
    regs = {r["uscc"]: r for r in records(clean[0], "registration.csv")}
    for p in records(clean[0], "penalties.csv"):
        measures = set(p["measures"].split(";"))
        assert measures <= MEASURES
        if measures & HEAVY:
            assert p["heavier"] == "true", p
        if "business_licence_revoked" in measures:
            assert regs[p["uscc"]]["status"] == "revoked"
        assert "2024-01-01" <= p["decided_on"] < START.isoformat()
        assert re.fullmatch(r".+市监处罚〔20\d\d〕\d+号", p["doc_no"])
        if p["restricted_until"]:   # optional column (contracts.md §1): only restrictions carry an end
            assert measures & {"business_restricted", "suspension", "practice_ban"} and p["restricted_until"] > p["decided_on"]
        if p["revoked_on"]:
            assert p["decided_on"] < p["revoked_on"] < START.isoformat()
    reports = records(clean[0], "annual_reports.csv")
    for a in reports:
        assert regs[a["uscc"]]["established_on"][:4] <= a["report_year"]
    enterprises = [u for u, r in regs.items() if r["entity_kind"] == "enterprise"
                   and r["established_on"] < "2025-01-01" and r["status"] == "operating"]
    filed = {a["uscc"] for a in reports if a["report_year"] == "2025" and a["filed_on"] <= "2026-06-30"}
    assert 0.78 < sum(u in filed for u in enterprises) / len(enterprises) < 0.92
    grades = [t["tax_credit_grade"] for t in records(clean[0], "tax.parquet")]
    assert 0.22 < grades.count("A") / len(grades) < 0.38 and 0.37 < grades.count("B") / len(grades) < 0.53
    periods = {s["period"] for s in records(clean[0], "social_security.csv")}
    assert periods == {"2026-04", "2026-05", "2026-06"}
    inspectors = records(clean[0], "inspectors.csv")
    assert len(inspectors) == 20
    ids = {i["inspector_id"] for i in inspectors}
    for res in records(clean[0], "inspection_results.csv"):
        pair = res["inspector_ids"].split(";")
        assert len(set(pair)) == 2 and set(pair) <= ids
        assert re.fullmatch(r"T2026-\d{4}", res["task_id"])


def test_inspectors_belong_to_divisions_the_bundled_draw_matters_name(clean: list[Path]) -> None:
    """A roster names bureau and division (杭州市西湖区市场监督管理局食品生产安全监督管理科): every
    matter of the bundled 抽查事项清单 that names a division has at least two active inspectors of
    it (行政处罚法 art. 42, domain.md §8). The sample used to give the bureau's name alone, which
    matched no division: food_production and advertising drew only unstaffed inspections."""
    doc = yaml.safe_load((Path(credit.__file__).parent / "defaults" / "config" / "draws.yaml").read_text("utf-8"))
    how = department_match(doc)
    active = [i for i in records(clean[0], "inspectors.csv") if i["active"] == "true"]
    assert all(i["department"].endswith(DIVISIONS) and "市场监督管理局" in i["department"] for i in active)
    for matter, spec in doc["matters"].items():
        if spec.get("departments"):
            n = sum(department_matches(i["department"], spec["departments"], how) for i in active)
            assert n >= 2, (matter, n)


def test_bank_credit_is_rare_and_mostly_clean(clean: list[Path]) -> None:
    """Most entities have no loan; of the borrowers a few are overdue, defaults are rare (domain.md §11)."""
    regs = records(clean[0], "registration.csv")
    bank = records(clean[0], "bank_credit.csv")
    assert {b["period"] for b in bank} == {"2026-06"}
    assert 0.1 < len(bank) / len(regs) < 0.35
    overdue = [b for b in bank if int(b["max_overdue_days"]) > 0]
    assert 0.02 < len(overdue) / len(bank) < 0.12
    assert sum(b["in_default"] == "true" for b in bank) / len(bank) < 0.02
    for b in bank:
        assert float(b["overdue_amount"]) <= float(b["loans_outstanding"])
        assert (int(b["max_overdue_days"]) > 0) == (float(b["overdue_amount"]) > 0)
        assert b["updated_on"] < START.isoformat()
    later = [(folder.name, r) for folder in clean[1:] if "bank_credit.csv" in manifest(folder)["files"]
             for r in records(folder, "bank_credit.csv")]
    assert later
    for night, r in later:   # a change reported yesterday, for the last complete month
        assert r["updated_on"] == (date.fromisoformat(night) - timedelta(days=1)).isoformat()
        assert r["period"] == "2026-06"


def test_defect_ledger_points_at_real_lines(drop: list[Path]) -> None:
    kinds_seen: set[str] = set()
    for folder in drop:
        night = folder.name
        book = ledger(folder)
        assert set(book) == set(manifest(folder)["files"])
        for name, entries in book.items():
            all_lines = lines(folder, name)
            header = all_lines[0]
            src = source_of(name)
            for d in entries:
                kinds_seen.add(d["kind"])
                assert 2 <= d["line"] <= len(all_lines) and d["row"] == d["line"] - 2
                row = dict(zip(header, all_lines[d["line"] - 1], strict=True))
                value = row.get(d["column"] or "", "")
                kind = d["kind"]
                if kind == "bad_check_digit":
                    assert not stdnum_uscc.is_valid(value) and len(value) == 18
                elif kind == "lowercase_uscc":
                    assert value != value.upper() and uscc_ok(value.upper())
                elif kind == "fullwidth_digits":
                    assert any("０" <= ch <= "９" for ch in value)
                elif kind == "stray_spaces":
                    assert value != value.strip()
                elif kind == "slash_date":
                    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}", value)
                elif kind == "future_date":
                    assert value > night
                elif kind == "unparsable_value":
                    assert not re.fullmatch(r"\d+(\.\d{1,2})?", value)
                    if d["column"] in DATE_COLUMNS:
                        with pytest.raises(ValueError):
                            date.fromisoformat(value)
                elif kind == "unknown_enum":
                    assert value not in ENUMS[(src, d["column"])]
                else:
                    original = all_lines[d["duplicate_of"] - 1]
                    copy = all_lines[d["line"] - 1]
                    key = [header.index(k) for k in KEYS[src]]
                    assert [copy[i] for i in key] == [original[i] for i in key]
                    assert (copy == original) == (kind == "exact_duplicate")
                if d["normalisable"] and d["kind"] != "exact_duplicate" and d["column"] in USCC_COLUMNS:
                    assert uscc_ok(normalised(value))
    assert {"bad_check_digit", "lowercase_uscc", "fullwidth_digits", "stray_spaces", "slash_date",
            "duplicate_key_conflict", "exact_duplicate", "future_date", "unparsable_value",
            "unknown_enum"} <= kinds_seen


def test_drop_column_makes_a_consistent_but_incomplete_file(tmp_path: Path) -> None:
    folder = write_sample(tmp_path, 300, 1, seed=2)[0]
    registered = manifest(folder)["files"]["registration.csv"]["rows"]
    for name, column in (("registration.csv", "status"), ("tax.parquet", "arrears")):
        before = manifest(folder)["files"][name]["rows"]
        drop_column(folder, name, column)
        entry = manifest(folder)["files"][name]
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == entry["sha256"]
        assert entry["rows"] == before == len(lines(folder, name)) - 1
        header = lines(folder, name)[0]
        assert column not in header and len(header) == len(COLUMNS[source_of(name)]) - 1
        assert all(d["column"] != column for d in ledger(folder)[name])
    assert (folder / "registration.csv").read_bytes().decode("gb18030").count("\r\n") == registered + 1


def test_progress_is_reported(tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    write_sample(tmp_path, 50, 2, progress=lambda label, done, total: calls.append((label, done, total)))
    assert calls[0] == ("2026-07-13 full", 50, 50)
    assert calls[-1] == ("2026-07-14 delta", 1, 1)
