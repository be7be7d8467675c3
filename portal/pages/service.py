"""What the pages about the site state, read from the settings and the database.

The privacy page describes this deployment as configured (geocoder, map tiles,
cookie lifetimes, limits), so what it says cannot drift from what the site does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from portal.extensions import db
from portal.models import Clinic
from portal.security import tile_origin

# Pages anyone may read and search engines should list (endpoint names).
INDEXED_PAGES = (
    "clinics.home",
    "clinics.guide",
    "clinics.about_verification",
    "pages.about",
    "pages.privacy",
    "pages.api_guide",
)
# Kept out of search engines: search results (a place and a condition, endless variants),
# comparisons, forms, signed-in areas and the raw API. robots.txt lists these.
NOT_CRAWLED = (
    "/search",
    "/compare",
    "/clinics/*/report",
    "/account/",
    "/dashboard",
    "/moderation",
    "/api/v1/",
)
# Responses that also say "noindex" themselves, for crawlers that reach them anyway.
NOT_INDEXED_PREFIXES = ("/search", "/compare", "/account/", "/dashboard", "/moderation")


@dataclass(frozen=True)
class ListedClinic:
    slug: str
    updated_at: datetime


def published_for_sitemap() -> list[ListedClinic]:
    """Every published listing (and nothing else), oldest first."""
    rows = db.session.execute(
        select(Clinic.slug, Clinic.updated_at)
        .where(Clinic.status == "published")
        .order_by(Clinic.id)
    )
    return [ListedClinic(slug, updated_at) for slug, updated_at in rows]


def is_not_indexed(path: str) -> bool:
    return path.startswith(NOT_INDEXED_PREFIXES)


@dataclass(frozen=True)
class PrivacyFacts:
    """This deployment's settings, in the terms the privacy page uses."""

    contact_email: str | None
    online_geocoder: bool
    geocoder_timeout: float
    tile_origin: str | None
    session_hours: int
    remember_days: int
    report_limit: str
    search_cache_seconds: float
    security_log_days: int | None


def privacy_facts(config: Mapping) -> PrivacyFacts:
    return PrivacyFacts(
        contact_email=contact_email(config),
        online_geocoder=config["GEOCODER"] != "offline",
        geocoder_timeout=config["GEOCODER_TIMEOUT"],
        tile_origin=tile_origin(config.get("MAP_TILE_URL", "")) or None,
        session_hours=int(config["PERMANENT_SESSION_LIFETIME"].total_seconds() // 3600),
        remember_days=config["REMEMBER_COOKIE_DURATION"].days,
        report_limit=config["RATELIMIT_REPORT"],
        search_cache_seconds=config["SEARCH_CACHE_SECONDS"],
        security_log_days=config.get("SECURITY_LOG_DAYS"),
    )


def contact_email(config: Mapping) -> str | None:
    """The operator's published address, or None when none is set."""
    return (config.get("CONTACT_EMAIL") or "").strip() or None
