"""HTTP handlers of the pages about the site: /about, /privacy, /api, /robots.txt, /sitemap.xml."""

from __future__ import annotations

from flask import Response, current_app, render_template, request

from portal.api.openapi import DATA_LICENCE
from portal.opendata.routes import PROFILE_ANCHOR
from portal.pages import bp, examples, service


@bp.get("/about")
def about():
    return render_template(
        "pages/about.html",
        contact_email=service.contact_email(current_app.config),
        verification_months=current_app.config["VERIFICATION_MONTHS"],
    )


@bp.get("/privacy")
def privacy():
    return render_template("pages/privacy.html", facts=service.privacy_facts(current_app.config))


@bp.get("/api")
def api_guide():
    config = current_app.config
    return render_template(
        "pages/api.html",
        examples=examples.EXAMPLES,
        licence=DATA_LICENCE,
        profile_anchor=PROFILE_ANCHOR,
        api_limit=config["RATELIMIT_API"],
        limits_enabled=config["RATELIMIT_ENABLED"],
        contact_email=service.contact_email(config),
    )


@bp.get("/robots.txt")
def robots_txt():
    body = render_template("pages/robots.txt", not_crawled=service.NOT_CRAWLED)
    return Response(body, mimetype="text/plain")


@bp.get("/sitemap.xml")
def sitemap_xml():
    body = render_template(
        "pages/sitemap.xml",
        pages=service.INDEXED_PAGES,
        clinics=service.published_for_sitemap(),
    )
    return Response(body, mimetype="application/xml")


@bp.after_app_request
def keep_out_of_indexes(response: Response) -> Response:
    """Search results and private areas ask search engines not to index them."""
    if service.is_not_indexed(request.path):
        response.headers["X-Robots-Tag"] = "noindex"
    return response
