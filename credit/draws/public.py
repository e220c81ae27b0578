"""What a draw makes public (一公开, domain.md §8; docs/draws.md): the plan, announced before the
seed is known, and the public record of the draw, served as the very bytes whose SHA-256 the
bureau announces and stores, so that an outsider can fetch both and check the draw (docs/draws.md,
"Checking a public record by hand"; ``credit draw verify --record``).

They come from the database, which holds what the files in ``<home>/reports/draws`` hold: the
canonical JSON of the plan and of the public record (:func:`credit.draws.records.canonical_json`)
is byte for byte the file written when the draw was planned or run. A public record whose bytes
no longer have the SHA-256 stored when it was run is not served (:class:`RecordAltered`).
The full record and the redraw events stay with the bureau: they hold the pools, with every
entity's tier and the inspectors' conflicts (docs/draws.md, "The two records").
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple, TypedDict

from sqlalchemy.engine import Connection

from credit import sqlfiles
from credit.draws.core import DrawRefused
from credit.draws.records import canonical_json


class RecordAltered(Exception):
    """A stored public record whose bytes no longer match the SHA-256 stored when it was drawn."""


class PublishedDraw(TypedDict):
    """One draw as the public list gives it."""

    draw_id: str
    matters: list[str]
    matter_names: list[str]       # as the plan froze them (抽查事项清单)
    scope: str | None
    as_of: str
    # What fixes the seed before the draw (一公开, domain.md §8): its commitment, or the public
    # value that will be the seed; shown on the public page (an outsider's acceptance pass found it
    # only inside plan.json).
    seed_commitment: str | None
    public_seed_source: str | None
    plan_sha256: str
    drawn: bool
    record_sha256: str | None


class PublishedFile(NamedTuple):
    """A published file: its name, its bytes and their SHA-256."""

    name: str
    body: bytes
    sha256: str


def _file(name: str, body: bytes) -> PublishedFile:
    return PublishedFile(name, body, hashlib.sha256(body).hexdigest())


def published_draws(conn: Connection) -> list[PublishedDraw]:
    """Every planned draw, in draw-id order, with the SHA-256 of its plan and, once drawn, of its
    public record."""
    rows = conn.execute(sqlfiles.statement("draws/published")).mappings().all()
    return [{"draw_id": r["draw_id"], "matters": list(r["matters"]),
             "matter_names": [str(m.get("name") or m["matter"]) for m in r["public_plan"].get("matters") or []],
             "scope": r["scope"],
             "as_of": r["as_of"].isoformat(),
             "seed_commitment": r["public_plan"].get("seed_commitment"),
             "public_seed_source": r["public_plan"].get("public_seed_source"),
             "plan_sha256": _file("", canonical_json(r["public_plan"])).sha256,
             "drawn": r["record_sha256"] is not None, "record_sha256": r["record_sha256"]} for r in rows]


def plan_file(conn: Connection, draw_id: str) -> PublishedFile:
    """``<draw_id>.plan.json`` as announced; :class:`DrawRefused` when there is no such plan."""
    row = conn.execute(sqlfiles.statement("draws/published_one"), {"id": draw_id}).mappings().first()
    if row is None:
        raise DrawRefused(f"没有抽查计划「{draw_id}」 (no such draw)")
    return _file(f"{draw_id}.plan.json", canonical_json(row["public_plan"]))


def record_file(conn: Connection, draw_id: str) -> PublishedFile:
    """``<draw_id>.public.json`` as drawn; :class:`DrawRefused` when not planned or not drawn yet,
    :class:`RecordAltered` when its bytes are no longer those it was drawn with."""
    row = conn.execute(sqlfiles.statement("draws/published_one"), {"id": draw_id}).mappings().first()
    if row is None:
        raise DrawRefused(f"没有抽查计划「{draw_id}」 (no such draw)")
    if row["record_sha256"] is None:
        raise DrawRefused(f"抽查「{draw_id}」尚未抽取 (planned, not drawn yet)")
    published = _file(f"{draw_id}.public.json", canonical_json(row["public_record"]))
    if published.sha256 != row["record_sha256"]:
        raise RecordAltered(f"抽查「{draw_id}」的公开记录与抽取时保存的摘要不符，暂不提供；请告知登记机关 "
                            f"(the stored public record does not match the SHA-256 stored when it was drawn)")
    return published
