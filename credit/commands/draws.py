"""Command-line commands of the draws area (wired into `credit` by credit/cli.py)."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)
