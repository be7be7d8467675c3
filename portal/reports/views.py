"""HTTP handlers of the reports blueprint: a patient reports a problem with a listing.

No account is needed. Every POST carries a CSRF token (CSRFProtect), and stored
reports are rate limited per address (RATELIMIT_REPORT, "5 per hour").
"""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for

from portal import limits
from portal.clinics.service import published_clinic_by_slug
from portal.extensions import db
from portal.models import Clinic, utcnow
from portal.reports import bp, service
from portal.reports.forms import ReportForm


@bp.errorhandler(429)
def too_many(_error):
    return render_template("reports/too_many.html"), 429


def _published_or_404(slug: str) -> Clinic:
    clinic = published_clinic_by_slug(slug)
    if clinic is None:
        abort(404)
    return clinic


@bp.route("/clinics/<slug>/report", methods=["GET", "POST"])
@limits.problem_reports
def new(slug: str):
    clinic = _published_or_404(slug)
    form = ReportForm()
    if not form.is_submitted():
        return render_template("reports/new.html", clinic=clinic, form=form)
    if not form.validate():
        return render_template("reports/new.html", clinic=clinic, form=form), 422
    try:
        service.file_report(
            clinic,
            kind=form.kind.data,
            details=form.details.data or "",
            contact_email=form.contact_email.data or "",
            now=utcnow(),
        )
    except service.ReportError as error:
        db.session.rollback()
        form.kind.errors = [*form.kind.errors, str(error)]
        return render_template("reports/new.html", clinic=clinic, form=form), error.status
    db.session.commit()
    return redirect(url_for("reports.thanks", slug=clinic.slug), code=303)


@bp.get("/clinics/<slug>/report/thanks")
def thanks(slug: str):
    return render_template("reports/thanks.html", clinic=_published_or_404(slug))
