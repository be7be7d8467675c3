from __future__ import annotations

from flask import abort, current_app, redirect, render_template, url_for

from portal import clock
from portal.clinics import bp, service
from portal.listings import slugs
from portal.search.care import open_at
from portal.search.mapdata import clinic_map_data
from portal.structured_data import json_ld_script, medical_clinic
from portal.vetting import FLAG_KINDS
from portal.vetting.dismissals import assess_listing


@bp.get("/")
def home():
    return render_template("clinics/home.html", summary=service.directory_summary())


@bp.get("/clinics/<slug>")
def listing(slug: str):
    clinic = service.published_clinic_by_slug(slug)
    if clinic is None:
        if (moved := slugs.current_slug_for(slug)) and service.published_clinic_by_id(moved[0]):
            # renamed by an approved revision: old links and bookmarks still arrive
            return redirect(url_for("clinics.listing", slug=moved[1]), code=301)
        abort(404)
    profile = clinic.profile
    structured_data = json_ld_script(
        medical_clinic(
            profile,
            url=url_for("clinics.listing", slug=clinic.slug, _external=True),
            latitude=clinic.lat,
            longitude=clinic.lng,
        )
    )
    return render_template(
        "clinics/listing.html",
        clinic=clinic,
        profile=profile,
        assessment=(assessment := assess_listing(clinic.id, profile)),
        flags=assessment.flags,
        structured_data=structured_data,
        map_data=clinic_map_data(clinic),
        verification=service.latest_verification(clinic),
        claimable=not clinic.managers,
        open_now=open_at(clinic, clock.now()),
    )


@bp.get("/guide")
def guide():
    return render_template("clinics/guide.html", flag_kinds=FLAG_KINDS)


@bp.get("/about/verification")
def about_verification():
    config = current_app.config
    return render_template(
        "clinics/about_verification.html",
        verification_months=config["VERIFICATION_MONTHS"],
        stale_after_days=config["STALE_AFTER_DAYS"],
    )
