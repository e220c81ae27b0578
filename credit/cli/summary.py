"""How a night is shown to the officer on duty (rich tables on the terminal)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def print_summary(console: Console, summary: dict[str, Any]) -> None:
    night = summary.get("night")
    if summary.get("already_published"):
        console.print(f"[yellow]night {night} was already published; nothing changed.[/yellow]")
    files = Table("file", "source", "mode", "rows in", "accepted", "quarantined", "gate",
                  title=f"night {night} — input snapshot {str(summary.get('manifest_digest', ''))[:12]}")
    for f in summary.get("files", []):
        files.add_row(f["file"], f["source"], f["mode"], f"{f['rows_in']:,}", f"{f['accepted']:,}",
                      f"{f['quarantined']:,}", "[green]pass[/green]" if not f["failures"] else "[red]fail[/red]")
    console.print(files)
    merges = Table("source", "new", "changed", "dropped", title="entity store")
    for m in summary.get("merges", []):
        merges.add_row(m["source"], f"{m['new']:,}", f"{m['changed']:,}", f"{m['dropped']:,}")
    console.print(merges)
    for area in ("rosters", "grading"):
        part = summary.get(area)
        if part:
            t = Table("item", "value", title=area)
            for k, v in part.items():
                t.add_row(str(k), str(v))
            console.print(t)
    stages = Table("stage", "seconds", title="timings")
    for k, v in summary.get("stages", {}).items():
        stages.add_row(k, f"{v:.2f}")
    console.print(stages)
    console.print(f"config {summary.get('config_version')}")


def print_refusal(console: Console, error: Any) -> None:
    console.print(f"[bold red]night {error.night} refused — yesterday's state is unchanged.[/bold red]")
    for r in error.reasons:
        console.print(f"  [red]•[/red] {r}")


def print_stored_summary(console: Console, night: Any) -> bool:
    """Print the summary stored with a published night; False when the night is not published."""
    import sqlalchemy as sa

    from credit.night.steps import engine_for
    from credit.settings import get_settings

    with engine_for(get_settings()).connect() as conn:
        summary = conn.execute(sa.text("select summary from night_runs where night = :n"), {"n": night}).scalar()
    if summary is None:
        console.print(f"[yellow]night {night} is not published.[/yellow]")
        return False
    print_summary(console, summary)
    return True
