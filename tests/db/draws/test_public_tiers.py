"""The public draw record, as written, stored and served, names no entity's tier (an outsider's
acceptance pass: ``credit-draw-public/1`` gave each drawn entity's stratum, e.g.
``"strata": ["annual_report:D"]`` for an entity of tier D because of its bank credit alone, and per
stratum a threshold that names a drawn entity's stratum too).

Tiers are not public (domain.md §7) and bank credit never is (domain.md §11): the record is now
``credit-draw-public/2``; it binds the bureau's full record by its SHA-256. Records of format /1
are in the field and still verify, from the files and over the API.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from credit.cli.commands.draws import app
from credit.draws import public, published, read, records, verify
from credit.settings import Settings
from tests.db.draws.helpers import graded, load_store, plan_and_run, uscc

STRATUM_KEYS = {"strata", "stratum", "threshold", "tier", "tiers"}


def _mentions(doc: Any, tags: set[str], path: str = "$") -> list[str]:
    """The paths at which a JSON document names a stratum: a stratum field or a ``matter:stratum`` tag."""
    out: list[str] = []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += [f"{path}.{k}"] if k in STRATUM_KEYS else _mentions(v, tags, f"{path}.{k}")
    elif isinstance(doc, list):
        for n, v in enumerate(doc):
            out += _mentions(v, tags, f"{path}[{n}]")
    elif isinstance(doc, str) and any(t in doc for t in tags):
        out.append(path)
    return out


def test_the_public_record_names_no_tier_and_binds_the_full_record(engine: Engine, cli_env: Settings) -> None:
    settings = cli_env
    load_store(engine, n=120)
    graded(engine, {uscc(i): "D" for i in range(1, 21)} | {uscc(i): "A" for i in range(21, 61)}, "bank default")
    draw_id = plan_and_run(engine, settings)
    folder = settings.reports_dir / "draws"
    pub_raw = (folder / f"{draw_id}.public.json").read_bytes()
    full_raw = (folder / f"{draw_id}.full.json").read_bytes()
    pub, full = json.loads(pub_raw), json.loads(full_raw)
    tags = {f"{s['matter']}:{s['stratum']}" for s in full["strata"]}
    drawn_d = [i["uscc"] for i in full["inspections"] if "annual_report:D" in i["strata"]]
    assert drawn_d and tags >= {"annual_report:A", "annual_report:B", "annual_report:D"}
    with engine.connect() as c:
        stored = read.stored_run(c, draw_id)
        served = public.record_file(c, draw_id)
        assert read.full_record(c, draw_id)["strata"] == full["strata"]   # the bureau keeps the thresholds
    # Written, stored and served: the same bytes, and none of them names a stratum.
    assert served.body == pub_raw and stored["public_record"] == pub
    assert pub["format"] == records.PUBLIC_FORMAT
    assert _mentions(pub, tags) == [] and _mentions(full, tags) != []
    assert pub["sample_sizes"] == {"annual_report": sum(s["sample_size"] for s in full["strata"])}
    # The public record binds the full record the run wrote, by SHA-256.
    assert pub["full_record_sha256"] == hashlib.sha256(full_raw).hexdigest() == stored["full_record_sha256"]
    assert verify.verify_records([pub, full]) == verify.VerifyResult(True, None)
    with engine.connect() as c:
        result, passed = published.verify_published(c, draw_id, settings)
    assert result.ok, result
    assert any("binds it by its SHA-256" in p for p in passed), passed
    # The bureau's own view still shows the thresholds (its terminal).
    shown = CliRunner().invoke(app, ["show", draw_id])
    assert shown.exit_code == 0, shown.output
    assert all(s["threshold"][:16] in shown.output for s in full["strata"] if s["threshold"]), shown.output


def test_a_v1_record_already_published_still_verifies(engine: Engine, cli_env: Settings) -> None:
    """A draw run before /2: its public file and database copy are /1 (with strata); ``verify
    DRAW_ID`` and ``verify --record`` check it as before, and the API serves it as it was."""
    settings = cli_env
    load_store(engine)
    draw_id = plan_and_run(engine, settings)
    folder = settings.reports_dir / "draws"
    full = json.loads((folder / f"{draw_id}.full.json").read_bytes())
    v1 = {k: v for k, v in full.items() if k not in records.FULL_ONLY}
    v1["format"] = records.PUBLIC_FORMAT_V1
    raw = records.canonical_json(v1)
    (folder / f"{draw_id}.public.json").write_bytes(raw)
    with engine.begin() as c:   # the run as it stored it then, past the append-only guard
        c.exec_driver_sql("alter table draw_runs disable trigger user")
        c.execute(sa.text("update draw_runs set public_record = cast(:r as jsonb), public_record_sha256 = :s "
                          "where draw_id = :d"),
                  {"r": raw.decode(), "s": hashlib.sha256(raw).hexdigest(), "d": draw_id})
        c.exec_driver_sql("alter table draw_runs enable trigger user")
    with engine.connect() as c:
        result, passed = published.verify_published(c, draw_id, settings)
        assert result.ok, result
        assert public.record_file(c, draw_id).body == raw
        assert read.drawn_strata(c, draw_id) == full["strata"]
    r = CliRunner().invoke(app, ["verify", "--record", str(folder / f"{draw_id}.public.json")])
    assert r.exit_code == 0 and "credit-draw-public/1" in r.output and "needs the full record" not in r.output, r.output
    # An edited /1 record still differs: a threshold lowered under a drawn key.
    v1["strata"][0]["threshold"] = "0" * 64
    (folder / f"{draw_id}.public.json").write_bytes(records.canonical_json(v1))
    with engine.connect() as c:
        result, _ = published.verify_published(c, draw_id, settings)
    assert not result.ok and "threshold" in (result.first_difference or ""), result
