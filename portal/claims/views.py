"""HTTP handlers: the claim form, the emailed confirmation link, the moderators' decision."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import limits, security
from portal.accounts.recovery_views import link_problem
from portal.accounts.tokens import TokenProblem
from portal.auth import moderator_required, staff_required
from portal.claims import bp, service
from portal.claims.forms import ClaimDecisionForm, DomainClaimForm, EvidenceClaimForm
from portal.claims.models import ClinicClaim
from portal.clinics.service import published_clinic_by_slug
from portal.extensions import db
from portal.models import Clinic, utcnow


def _claimable_or_404(slug: str) -> Clinic:
    clinic = published_clinic_by_slug(slug)
    if clinic is None:
        abort(404)
    return clinic


def _render_claim(clinic: Clinic, domain_form=None, evidence_form=None, *, problem="", status=200):
    return render_template(
        "claims/new.html",
        clinic=clinic,
        claimable=service.is_claimable(clinic),
        domain=service.website_domain(clinic.website),
        existing=service.open_claim(clinic, current_user),
        domain_form=domain_form or DomainClaimForm(formdata=None, prefix="domain"),
        evidence_form=evidence_form or EvidenceClaimForm(formdata=None, prefix="evidence"),
        problem=problem,
    ), status


@bp.get("/clinics/<slug>/claim")
@staff_required
def new(slug: str):
    return _render_claim(_claimable_or_404(slug))


@bp.post("/clinics/<slug>/claim/domain")
@staff_required
@limits.account_mail_by_user
def by_domain(slug: str):
    clinic = _claimable_or_404(slug)
    form = DomainClaimForm(prefix="domain")
    return _start_claim(
        clinic,
        form,
        form.work_email,
        lambda: service.claim_by_domain(clinic, current_user, form.work_email.data, utcnow()),
        method="domain",
        shown_as="domain_form",
        done=f"We sent a link to {form.work_email.data}. Open it to send your claim to the "
        "moderators.",
    )


@bp.post("/clinics/<slug>/claim/evidence")
@staff_required
def with_evidence(slug: str):
    clinic = _claimable_or_404(slug)
    form = EvidenceClaimForm(prefix="evidence")
    return _start_claim(
        clinic,
        form,
        form.evidence,
        lambda: service.claim_with_evidence(clinic, current_user, form.evidence.data, utcnow()),
        method="evidence",
        shown_as="evidence_form",
        done="Your claim waits for a moderator. We will email you the decision.",
    )


def _start_claim(clinic, form, field, start, *, method: str, shown_as: str, done: str):
    """Validate one way of claiming, start it, commit once; a refusal keeps what was typed
    (on the field when it is about the field)."""
    shown = {shown_as: form}
    if not form.validate():
        return _render_claim(clinic, status=422, **shown)
    try:
        start()
    except service.ClaimError as error:
        db.session.rollback()
        if error.field:
            field.errors = [*field.errors, str(error)]
            return _render_claim(clinic, status=error.status, **shown)
        return _render_claim(clinic, problem=str(error), status=error.status, **shown)
    db.session.commit()
    security.event("claim_started", clinic=clinic.id, method=method)
    flash(done, "success")
    return redirect(url_for("dashboard.index"), code=303)


@bp.route("/claims/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """GET shows a button (mail scanners open links); POST confirms."""
    try:
        if request.method == "GET":
            claim = service.find_for_confirmation(token, utcnow())
            return render_template("claims/confirm.html", claim=claim, token=token)
        claim = service.confirm_domain(token, utcnow())
    except TokenProblem as problem:
        db.session.rollback()
        return link_problem("claim", problem)
    db.session.commit()
    return render_template("claims/confirmed.html", claim=claim)


@bp.route("/moderation/claims/<int:claim_id>", methods=["GET", "POST"])
@moderator_required
def review(claim_id: int):
    claim = db.get_or_404(ClinicClaim, claim_id)
    form = ClaimDecisionForm()
    if not form.is_submitted():
        return render_template("claims/review.html", claim=claim, form=form)
    if not form.validate():
        return render_template("claims/review.html", claim=claim, form=form), 422
    try:
        service.decide(
            claim.id, current_user, form.decision.data == "approve", form.note.data, utcnow()
        )
    except service.ClaimError as error:
        db.session.rollback()
        return render_template(
            "claims/review.html", claim=claim, form=form, problem=str(error)
        ), error.status
    db.session.commit()
    security.event("claim_decided", claim=claim.id, outcome=form.decision.data)
    flash(f"The claim on {claim.clinic.name} is decided; the claimant gets an email.", "success")
    return redirect(url_for("moderation.queue"), code=303)
