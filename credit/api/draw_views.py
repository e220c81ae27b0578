"""The officers' draw page in Chinese (docs/api.md: the workbench is server-rendered Chinese pages).

A drawn inspection is stored with codes and an English note (``credit.draws.derive`` writes them
into the append-only tables and the records, where they stay as they are). Here they are shown as
an officer reads them: the state, the matter by the name ``/bureau/draws`` uses, the stratum as
the matter and its credit-risk tier (domain.md §7), the competence level, and the note's meaning in
Chinese. Codes an officer needs (USCC, inspector ids) are kept, marked ``<code>``; the raw value
goes in a ``title`` attribute.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from credit.api.bureau_views import TIER_LABELS
from credit.draws.labels import LEVEL_LABELS, REDRAW_KIND_LABELS, STATE_LABELS, matter_label, note_parts
from credit.draws.read import RedrawEvent


def code(value: object) -> Markup:
    """A code an officer needs (USCC, inspector id, draw id), escaped and marked as code."""
    return Markup("<code>{}</code>").format(value)


def stratum_label(tag: str, matters: Mapping[str, str]) -> str:
    """``annual_report:B`` → ``企业年度报告等公示信息抽查 · B类（信用风险一般）``."""
    matter, _, tier = tag.partition(":")
    tier_text = f"{tier}类（{TIER_LABELS[tier]}）" if tier in TIER_LABELS else tier
    return f"{matter_label(matter, matters)} · {tier_text}"


def chinese_part(text: str | None) -> str | None:
    """The Chinese of a plan's published note (schedule note, staffing warning), written Chinese
    first with the English after `` (`` (credit.draws.store): the page is in Chinese."""
    return text.split(" (", 1)[0] if text else None


def note_html(note: str | None, matters: Mapping[str, str]) -> Markup:
    """The meaning of a drawn inspection's note in Chinese (:func:`credit.draws.labels.note_parts`),
    its codes kept as ``<code>``."""
    return Markup("；").join(Markup(sentence).format(*(code(v) if is_code else v for v, is_code in args))
                            for sentence, args in note_parts(note, matters))


def inspection_row(r: Mapping[Any, Any], matters: Mapping[str, str]) -> dict[str, Any]:
    """One current inspection (``credit.draws.read.current_inspections``) as the page shows it."""
    state = str(r["state"])
    return {
        "uscc": str(r["uscc"]), "version": int(r["version"]),
        "state": state, "state_label": STATE_LABELS.get(state, state),
        "matters": "；".join(matter_label(str(m), matters) for m in r["matters"] or []),
        "matter_codes": ",".join(str(m) for m in r["matters"] or []),
        "strata": "；".join(stratum_label(str(s), matters) for s in r["strata"] or []),
        "strata_codes": ",".join(str(s) for s in r["strata"] or []),
        "inspectors": [str(x) for x in r["inspectors"] or []],
        "scheduled_on": str(r["scheduled_on"]) if r["scheduled_on"] is not None else "",
        "note": str(r["note"] or ""), "note_html": note_html(r["note"], matters),
    }


def redraw_row(ev: RedrawEvent) -> dict[str, Any]:
    """One redraw (``credit.draws.read.redraw_events``) as the page shows it: its kind in Chinese,
    and for an ``entity_closed`` replacement the entities it passed over because other live draws
    hold them (``draw_events.skipped``, migration 0047; docs/draws.md step 4) — ``skipped`` None
    when the event was recorded before that column (nothing was passed over then)."""
    kind = str(ev["kind"])
    skipped = ev["skipped"]
    return {
        "seq": int(ev["seq"]), "kind": kind, "kind_label": REDRAW_KIND_LABELS.get(kind, kind),
        "uscc": str(ev["uscc"]), "amends_version": int(ev["amends_version"]),
        "inspector_id": str(ev["inspector_id"]) if ev["inspector_id"] else "",
        "reason": str(ev["reason"]),
        "skipped": None if skipped is None else [str(u) for u in skipped],
        "replaces": kind == "entity_closed",
        # The entity that took the closed one's place (or joined an inspection already drawn).
        "replacements": [str(v["uscc"]) for v in (ev["outcome"] or {}).get("versions") or []
                         if v["uscc"] != ev["uscc"] and v["state"] != "cancelled"],
    }


__all__ = ["LEVEL_LABELS", "STATE_LABELS", "code", "inspection_row", "matter_label", "note_html",
           "redraw_row", "stratum_label"]
