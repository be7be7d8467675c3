"""Commands: `flask --app portal seed`, `create-moderator`, `export-hsds` (portal.opendata)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import select

from portal.config import ROOT
from portal.extensions import db


def register(app: Flask) -> None:
    from portal.opendata.export import register_commands as register_hsds_commands

    register_hsds_commands(app)

    @app.cli.command("seed")
    @click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
    def seed(path: Path | None) -> None:
        """Load the sample clinics (from seeds/ or PATH); running it again changes nothing."""
        from portal.places import clinic_coordinates
        from portal.seeding import load_seed_file, seed_clinics

        folder = path or ROOT / "seeds"
        files = [folder] if folder.is_file() else sorted(folder.glob("*.json"))
        added = 0
        for seed_file in files:
            entries = load_seed_file(seed_file, today=date.today())
            added += seed_clinics(entries, clinic_coordinates)
        db.session.commit()
        click.echo(f"Sample data: {added} clinics added.")

    @app.cli.command("check")
    def check() -> None:
        """Load the production configuration and fail on every unsafe setting."""
        import os

        from portal.config import load_config
        from portal.security import deployment_problems

        environ = dict(os.environ, PORTAL_ENV="production")
        debug = os.environ.get("FLASK_DEBUG", "").lower() in {"1", "true", "yes", "on"}
        config = load_config(Path(app.instance_path), environ)
        problems = deployment_problems(config, debug=debug or app.debug)
        for problem in problems:
            click.echo(f"UNSAFE: {problem}", err=True)
        if problems:
            raise SystemExit(f"{len(problems)} problem(s): not safe for production.")
        click.echo("Production configuration: no problems found.")

    @app.cli.command("backup")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    def backup(path: Path) -> None:
        """Write a consistent copy of the live SQLite database to PATH (online backup API)."""
        from portal.backup import BackupNotSupported, backup_sqlite

        try:
            pages = backup_sqlite(db.engine.url, path)
        except BackupNotSupported as reason:
            raise click.ClickException(str(reason)) from None
        click.echo(f"Backup written to {path} ({pages} pages, integrity check ok).")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def restore(path: Path) -> None:
        """SQLite: put the backup PATH in place (refuses while the site runs; checks integrity)."""
        from portal.backup import BackupNotSupported, restore_sqlite

        db.session.remove()
        db.engine.dispose()  # this command's own connections must not count as the site's
        try:
            counts, aside = restore_sqlite(db.engine.url, path)
        except BackupNotSupported as reason:
            raise click.ClickException(str(reason)) from None
        if aside:
            click.echo(f"The previous database is kept as {aside}.")
        click.echo(f"Restored {path}: integrity check ok.")
        for table, count in counts.items():
            click.echo(f"  {table}: {count} rows")

    @app.cli.command("create-moderator")
    @click.argument("email")
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    def create_moderator(email: str, password: str) -> None:
        """Create a moderator account (or make an existing account a moderator)."""
        from portal.accounts.service import normalise_email, password_problem
        from portal.auth import hash_password
        from portal.models import User

        email = normalise_email(email)
        if problem := password_problem(password, email):
            raise click.BadParameter(problem, param_hint="--password")
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, password_hash=hash_password(password), role="moderator")
            db.session.add(user)
        else:
            user.role = "moderator"
            user.password_hash = hash_password(password)
            user.rotate_session_token()
        db.session.commit()
        click.echo(f"Moderator {email} is ready.")
