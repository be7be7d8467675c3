"""The ketamine clinic directory and vetting portal."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, UnicodeConverter

from portal.config import ROOT, load_config

MAX_DATABASE_ID = 2**31 - 1  # the largest value of a PostgreSQL integer column


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints, error pages, commands."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(load_config(Path(app.instance_path)))
    if config:
        app.config.from_mapping(config)

    app.url_map.converters["int"] = DatabaseIdConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = PrintableConverter
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security(app)
    register_cors(app)
    register_compression(app)
    register_template_helpers(app)
    register_commands(app)
    return app


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in every route, capped at the largest id a database integer holds.

    Without the cap an id like 99999999999999999999 reaches the database and
    fails there (a 500 on SQLite); with it the URL simply does not match (404).
    """

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_DATABASE_ID, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class PrintableConverter(UnicodeConverter):
    """`<slug>` and every other string in a route: no control characters.

    A NUL byte in a URL would otherwise reach the database, and PostgreSQL
    refuses it with an error (a 500); no slug contains one, so such a URL
    simply does not match (404).
    """

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", "[^/\\x00-\\x1f\\x7f]")


def register_extensions(app: Flask) -> None:
    from portal import auth, dbguards, limits
    from portal.extensions import configure_sqlite, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    app.after_request(limits.hide_counts_on_accounts)  # before the limiter: runs after it
    app.config.setdefault("RATELIMIT_ON_BREACH_CALLBACK", limits.log_breach)
    limiter.init_app(app)
    login_manager.init_app(app)
    auth.configure(login_manager)
    dbguards.register(db.metadata)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)


# The modules that add routes to each feature's blueprint. They are imported here, not
# in the features' __init__, so a feature's services import without its views.
VIEW_MODULES = (
    "clinics.views",
    "search.views",
    "compare.views",
    "accounts.views",
    "dashboard.views",
    "moderation.views",
    "moderation.staff",
    "reports.views",
    "api.views",
    "opendata.routes",
    "pages.views",
)


def register_blueprints(app: Flask) -> None:
    from portal import (
        accounts,
        api,
        clinics,
        compare,
        dashboard,
        moderation,
        pages,
        reports,
        search,
    )

    for name in VIEW_MODULES:
        importlib.import_module(f"portal.{name}")
    features = (clinics, search, compare, accounts, dashboard, moderation, reports, api, pages)
    for feature in features:
        app.register_blueprint(feature.bp)


def register_security(app: Flask) -> None:
    from portal import security

    security.register(app)


def register_cors(app: Flask) -> None:
    from portal import cors

    cors.register(app)


def register_compression(app: Flask) -> None:
    from portal import compression

    compression.register(app)


def register_errorhandlers(app: Flask) -> None:
    from portal import errors

    errors.register(app)


def register_template_helpers(app: Flask) -> None:
    from portal import templating

    templating.register(app)


def register_commands(app: Flask) -> None:
    from portal import cli

    cli.register(app)
