"""Signatures and backups on the command line.

- ``credit keys public [--out F]``: the bureau's public signing key (PEM), to publish.
- ``credit verify-signature FILE --public-key KEY.pem [--sidecar S]``: offline — a signed
  document (screening certificate) or a file with its ``<file>.sig.json``; no database needed.
- ``credit db backup --out F`` / ``credit db restore F [--database NAME | --target-url URL]``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from credit.cli import output

console = output.console()
err = output.console(stderr=True)
keys_app = typer.Typer(no_args_is_help=True, help="The bureau's signing key (Ed25519).")


@keys_app.callback()
def _group() -> None:
    """Keep ``credit keys public`` a subcommand."""


@keys_app.command("public")
def keys_public(out: Annotated[Path | None, typer.Option(
        "--out", help="Also write the PEM to this file (-: standard output, where it is printed anyway). "
        + output.OUT_FOLDERS)] = None
                ) -> None:
    """Print the public key that verifies certificates, export sidecars and the anchor file."""
    from credit.settings import get_settings
    from credit.signing import SigningKeyError, signer_for

    out = output.out_or_stdout(out)   # ``-``: printed once, never a file named ``-``
    try:
        signer = signer_for(get_settings())
    except SigningKeyError as e:
        err.print(f"[red]refused:[/red] {output.esc(e)}")
        raise typer.Exit(2) from None
    if out is not None:
        with output.writing(out):
            out.write_text(signer.public_pem, encoding="ascii")
        err.print(f"wrote {out} ({signer.key_id})", markup=False)
    print(signer.public_pem, end="")


def verify_signature_command(
    file: Annotated[Path, typer.Argument(help="A signed certificate (JSON), or an export with its .sig.json.")],
    public_key: Annotated[Path, typer.Option("--public-key", help="The bureau's published public key (PEM).")],
    sidecar: Annotated[Path | None, typer.Option(
        "--sidecar", help="The signature sidecar (default: FILE.sig.json when it exists).")] = None,
) -> None:
    """Check a signature offline with the public key alone (no database, no network). Exit 0 when
    it holds; 1 when it does not (the reason printed: changed, forged, a damaged certificate or
    sidecar); 2 when it cannot be checked (the file, its sidecar or the public key cannot be read)."""
    from credit.signing import SigningKeyError, load_public_key, verify_file

    try:
        key = load_public_key(public_key.read_bytes(), str(public_key))
        check = verify_file(file, key, sidecar)
    except OSError as e:   # missing, a folder, not permitted: named, in our words (never "[Errno 2] …")
        output.refuse(output.unreadable(e.filename or file, e))
    except SigningKeyError as e:
        output.refuse(str(e))
    if check.ok:
        console.print(f"signature valid: {file.name} ({check.kind}) signed by {check.key_id}", markup=False)
        if check.chain_head:
            h = check.chain_head
            console.print(f"decision-log head published at the time: night {h.get('night')}, decision {h.get('seq')}, "
                          f"{str(h.get('row_hash'))[:16]}…", markup=False)
        return
    err.print(f"signature INVALID: {file}", style="red", markup=False)
    for r in check.reasons:
        err.print(f"  {r}", markup=False)
    raise typer.Exit(1)


def db_backup(out: Annotated[Path, typer.Option("--out", help="The dump file to write (pg_dump custom format). " + output.OUT_FOLDERS)]
              ) -> None:
    """Dump the whole database (store, decision log with its chain, anchors, grants) to one file."""
    from credit.backup import BackupError, backup
    from credit.db import database_url
    from credit.settings import get_settings

    out = output.out_file(out)
    settings = get_settings()
    url = database_url(settings)
    try:
        with output.writing(out):
            backup(url, out, settings)
    except BackupError as e:
        err.print(f"[red]backup failed:[/red] {output.esc(e)}")
        raise typer.Exit(1) from None
    console.print(f"wrote {out} ({out.stat().st_size:,} bytes)", markup=False)


def db_restore(
    dump: Annotated[Path, typer.Argument(help="A dump written by `credit db backup`.")],
    database: Annotated[str | None, typer.Option(
        "--database", help="Restore into this new database on the same server (then point "
                           "CREDIT_DATABASE_URL at it).")] = None,
    target_url: Annotated[str | None, typer.Option(
        "--target-url", help="Restore into the (empty) database at this URL.")] = None,
) -> None:
    """Restore a dump into an empty database, then verify the decision log's chain against the
    anchors published outside the database; exit 1 when the restore or the verification fails."""
    from sqlalchemy.engine import make_url

    from credit.backup import BackupError, restore
    from credit.db import database_url
    from credit.rosters.anchors import anchor_path, read_anchors
    from credit.rosters.audit import verify_chain
    from credit.settings import get_settings
    from credit.signing import signer_for

    settings = get_settings()
    if database is not None and target_url is not None:
        err.print("[red]refused:[/red] give --database or --target-url, not both")
        raise typer.Exit(2)
    url = target_url or database_url(settings)
    if database is not None:
        url = make_url(url).set(database=database).render_as_string(hide_password=False)
    try:
        done = restore(dump, url, settings)
    except BackupError as e:
        err.print(f"[red]restore failed:[/red] {output.esc(e)}")
        raise typer.Exit(1) from None
    console.print(f"restored {done.tables} tables, {done.decisions} decisions into "
                  f"{make_url(url).database}", markup=False)
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            report = verify_chain(conn, read_anchors(anchor_path(settings), signer_for(settings).public_key))
    finally:
        engine.dispose()
    for w in report.warnings:
        err.print(f"warning: {w}", style="yellow", markup=False)
    if not report.ok:
        err.print(report.message(), style="red", markup=False)
        raise typer.Exit(1)
    console.print(report.message(), markup=False)

