"""robots.txt and sitemap.xml: every published listing and the public pages, nothing else."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from sqlalchemy import select

from portal.extensions import db
from portal.models import Clinic
from tests.factories import clean_profile, make_clinic

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
PUBLIC_PAGES = {"/", "/guide", "/about/verification", "/about", "/privacy", "/api"}


def sitemap_entries(client) -> dict[str, str | None]:
    """{path: lastmod} of every <url> in /sitemap.xml."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)  # noqa: S314 (our own answer, in a test)
    assert root.tag == f"{{{NS['sm']}}}urlset"
    entries = {}
    for url in root.findall("sm:url", NS):
        loc = url.findtext("sm:loc", namespaces=NS)
        assert urlsplit(loc).scheme == "http" and urlsplit(loc).netloc == "localhost", loc
        path = urlsplit(loc).path
        assert path not in entries, f"{path} listed twice"
        entries[path] = url.findtext("sm:lastmod", namespaces=NS)
    return entries


def published_slugs() -> set[str]:
    return set(db.session.scalars(select(Clinic.slug).where(Clinic.status == "published")))


def test_sitemap_lists_every_published_listing_and_the_public_pages_only(
    client, sample_clinics, moderator
):
    hidden = {
        status: make_clinic(clean_profile(name=f"Hidden {status} clinic"), status=status)
        for status in ("draft", "pending")
    }
    suspended = make_clinic(clean_profile(name="Soon suspended clinic"))
    moderator.login()
    page = f"/moderation/clinics/{suspended.id}"
    response = moderator.submit(page, {"reason": "Unsafe, reported."}, action=f"{page}/suspend")
    assert response.status_code in (302, 303)
    statuses = dict(db.session.execute(select(Clinic.slug, Clinic.status)).all())
    assert {"draft", "pending", "suspended", "published"} <= set(statuses.values())

    entries = sitemap_entries(client)

    listings = {path.removeprefix("/clinics/") for path in entries if path.startswith("/clinics/")}
    assert listings == published_slugs()
    assert len(listings) == len(sample_clinics)  # the added clinics are all hidden
    assert not listings & {c.slug for c in (*hidden.values(), suspended)}
    assert set(entries) - {f"/clinics/{slug}" for slug in listings} == PUBLIC_PAGES
    updated = dict(db.session.execute(select(Clinic.slug, Clinic.updated_at)).all())
    for slug in listings:
        assert entries[f"/clinics/{slug}"] == f"{updated[slug]:%Y-%m-%d}"
    for path in entries:
        assert client.get(path).status_code == 200, path


def test_an_empty_directory_lists_only_the_public_pages(client):
    assert set(sitemap_entries(client)) == PUBLIC_PAGES


def test_robots_txt_keeps_search_results_out_and_points_at_the_sitemap(client, sample_clinics):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert "Sitemap: http://localhost/sitemap.xml" in text.splitlines()

    robots = RobotFileParser()
    robots.parse(text.splitlines())
    for path in ("/search?location=92101", "/search", "/compare?ids=1,2", "/dashboard"):
        assert not robots.can_fetch("AnyBot", f"http://localhost{path}"), path
    for path in ("/account/login", "/moderation", "/api/v1/clinics?location=92101"):
        assert not robots.can_fetch("AnyBot", f"http://localhost{path}"), path
    for path in sitemap_entries(client):
        assert robots.can_fetch("AnyBot", f"http://localhost{path}"), path


def test_search_results_ask_not_to_be_indexed_and_listings_do_not(client, sample_clinics):
    assert client.get("/search?location=92101").headers["X-Robots-Tag"] == "noindex"
    assert client.get("/search?location=Atlantis%2C+ZZ").headers["X-Robots-Tag"] == "noindex"
    for path in ("/", f"/clinics/{sample_clinics[0].slug}", "/about", "/api"):
        assert "X-Robots-Tag" not in client.get(path).headers, path
