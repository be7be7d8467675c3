from __future__ import annotations

from flask import abort, render_template

from portal.clinics import bp, service
from portal.vetting import red_flags


@bp.get("/")
def home():
    return render_template("clinics/home.html", summary=service.directory_summary())


@bp.get("/clinics/<slug>")
def listing(slug: str):
    clinic = service.published_clinic_by_slug(slug)
    if clinic is None:
        abort(404)
    profile = clinic.profile
    return render_template(
        "clinics/listing.html",
        clinic=clinic,
        profile=profile,
        flags=red_flags(profile),
        verification=service.latest_verification(clinic),
    )


@bp.get("/guide")
def guide():
    from portal.vetting import RULES

    return render_template("clinics/guide.html", rule_count=len(RULES))
