"""A published night's summary as plain lines, for logs (issue 15: the summary in Airflow's task log).

The DAG's ``publish`` task logs these lines (``credit.night`` logger), so an operator reading the
task log sees what the night did without opening the database: per file the rows in, accepted and
quarantined, the store's changes, the roster decisions, the tier distribution and the timings.
"""

from __future__ import annotations

from collections.abc import Mapping

from credit.night.records import NightSummary


def summary_lines(summary: NightSummary) -> list[str]:
    """One readable line per fact of the night (no markup, no dicts)."""
    night = summary.get("night")
    head = f"night {night} published" if not summary.get("already_published") else \
        f"night {night} was already published; nothing changed"
    lines = [f"{head} (manifest {str(summary.get('manifest_digest', ''))[:12]}, config {summary.get('config_version')})"]
    files = summary.get("files", [])
    rows_in = sum(f["rows_in"] for f in files)
    quarantined = sum(f["quarantined"] for f in files)
    lines.append(f"files: {len(files)}, rows in {rows_in:,}, accepted {rows_in - quarantined:,}, "
                 f"quarantined {quarantined:,}")
    for f in files:
        share = f["quarantined"] / f["rows_in"] if f["rows_in"] else 0.0
        lines.append(f"  {f['file']} ({f['source']}, {f['mode']}): rows in {f['rows_in']:,}, accepted "
                     f"{f['accepted']:,}, quarantined {f['quarantined']:,} ({share:.2%})"
                     + (f", {len(f['failures'])} failures" if f["failures"] else ""))
    lines += unlisted_lines(summary)
    for m in summary.get("merges", []):
        lines.append(f"  store {m['source']}: new {m['new']:,}, changed {m['changed']:,}, dropped {m['dropped']:,}")
    rosters = summary.get("rosters")
    if isinstance(rosters, Mapping):
        by = rosters.get("by_roster_action") or {}
        detail = ", ".join(f"{k} {v}" for k, v in sorted(by.items()))
        lines.append(f"decisions: {rosters.get('decisions', 0)}" + (f" ({detail})" if detail else ""))
        lines += [f"  roster warning: {w}" for w in rosters.get("warnings") or []]
    grading = summary.get("grading")
    if isinstance(grading, Mapping):
        dist = grading.get("distribution") or {}
        tiers = ", ".join(f"{k} {v:,}" for k, v in sorted(dist.items()))
        lines.append(f"tiers: graded {grading.get('graded', 0):,}" + (f" ({tiers})" if tiers else ""))
        lines += [f"  grading warning: {w}" for w in grading.get("warnings") or []]
    stages = summary.get("stages") or {}
    if stages:
        lines.append("stages (s): " + ", ".join(f"{k} {v:.2f}" for k, v in stages.items()))
    return lines


def unlisted_lines(summary: NightSummary) -> list[str]:
    """The files of the night's folder that its manifest does not list: not read (contracts.md §1)."""
    part = summary.get("unlisted")
    if not part:
        return []
    more = part["count"] - len(part["files"])
    return ([f"未列入 manifest.json 的文件 {part['count']} 个，未读取 (unlisted files, not read):"]
            + [f"  「{name}」 [unlisted_file]" for name in part["files"]]
            + ([f"  …… 另有 {more} 个 (and {more} more)"] if more > 0 else []))
