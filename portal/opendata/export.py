"""The `export-hsds` command: every published listing as HSDS 3 JSON files."""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path

import click
from flask import Flask, current_app

from portal import clock
from portal.opendata import hsds
from portal.opendata.queries import all_published


def export(folder: Path, ctx: hsds.Context) -> dict[str, int]:
    """Write every published record as DIR/<collection>/<id>.json; returns counts.

    Files of an earlier export in those three folders are removed first, so a
    clinic that is no longer published does not linger in the export.
    """
    listings = all_published()
    counts = {}
    for collection, (kind, build, _summary) in hsds.COLLECTIONS.items():
        target = folder / collection
        target.mkdir(parents=True, exist_ok=True)
        for old in target.glob("*.json"):
            old.unlink()
        for listing in listings:
            record = build(listing, ctx)
            path = target / f"{listing.id(kind)}.json"
            path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", "utf-8")
        counts[collection] = len(listings)
    return counts


def register_commands(app: Flask) -> None:
    @app.cli.command("export-hsds")
    @click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
    @click.option(
        "--base-url",
        default=None,
        help="Where the site is served, for listing links (default: PUBLIC_BASE_URL).",
    )
    def export_hsds(folder: Path, base_url: str | None) -> None:
        """Write the published listings as HSDS 3 JSON: FOLDER/<collection>/<id>.json."""
        config = current_app.config
        ctx = hsds.Context(
            base_url=base_url or config["PUBLIC_BASE_URL"],
            now=clock.now().astimezone(UTC).replace(tzinfo=None),  # naive UTC, like the columns
            assurer_email=config["HSDS_ASSURER_EMAIL"],
            stale_after_days=config["STALE_AFTER_DAYS"],
        )
        counts = export(folder, ctx)
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        click.echo(f"Exported {summary} to {folder}.")
