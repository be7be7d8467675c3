"""HTTP handlers of the moderation blueprint: parse, call the service, commit once, render.

Every route here is for moderators only: the guard runs before each request of
the blueprint, so a route added later cannot forget it.
"""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from portal import freshness, listings, security
from portal.auth import moderator_required
from portal.claims import service as claims
from portal.clinics.service import latest_verification
from portal.extensions import db
from portal.listings import slugs
from portal.models import Clinic, ClinicRevision, ProblemReport, utcnow
from portal.moderation import bp, flags, service
from portal.moderation.forms import DecisionForm, DismissFlagForm, RestoreForm, SuspendForm
from portal.places import clinic_coordinates
from portal.reports import service as reports
from portal.reports.forms import ResolveReportForm
from portal.vetting import KINDS

bp.before_request(moderator_required(lambda: None))


@bp.get("/moderation")
def queue():
    today = date.today()
    now = utcnow()
    return render_template(
        "moderation/queue.html",
        items=service.pending_queue(now),
        expiring=service.expiring_listings(today),
        reports=reports.open_reports(),
        out_of_date=freshness.out_of_date_listings(now, current_app.config["STALE_AFTER_DAYS"]),
        claims=claims.waiting_claims(),
        now=now,
        today=today,
        waited_text=service.waited_text,
    )


@bp.get("/moderation/revisions/<int:revision_id>")
def review(revision_id: int):
    revision = db.get_or_404(ClinicRevision, revision_id)
    profile = revision.profile
    form = DecisionForm(
        data={"licence_state": profile.licence_state, "licence_number": profile.licence_number}
    )
    return _render_review(revision, form)


@bp.post("/moderation/revisions/<int:revision_id>/decision")
def decide(revision_id: int):
    revision = db.get_or_404(ClinicRevision, revision_id)
    form = DecisionForm()
    if not form.validate():
        return _render_review(revision, form, status=422)
    checklist = service.checklist_from(revision.profile, **form.checklist_values())
    try:
        decision = service.decide(
            revision,
            current_user,
            form.decision.data,
            form.reason.data,
            checklist,
            date.today(),
            verification_months=current_app.config["VERIFICATION_MONTHS"],
            locate=clinic_coordinates,
        )
        db.session.commit()
    except service.AlreadyDecided as error:
        db.session.rollback()
        return _render_review(revision, form, conflict=str(error), status=error.status)
    except IntegrityError:
        # The unique decision per revision: another moderator's insert won the race.
        db.session.rollback()
        message = service.already_decided_message(revision)
        return _render_review(revision, form, conflict=message, status=409)
    except service.ModerationError as error:
        db.session.rollback()
        _attach_error(form, error)
        return _render_review(revision, form, status=error.status)
    security.event(
        "moderation_decision",
        outcome=decision.outcome,
        revision=revision.id,
        clinic=revision.clinic_id,
    )
    flash(_decided_message(decision.outcome, revision), "success")
    return redirect(url_for("moderation.queue"))


def _decided_message(outcome: str, revision: ClinicRevision) -> str:
    name = revision.profile.name
    if outcome == "approve":
        return f"{name} is published and verified."
    if outcome == "reject":
        return f"{name}: the revision was rejected. The clinic can read your reason."
    return f"{name}: the clinic was asked for changes and can read your message."


def _attach_error(form: DecisionForm, error: service.ModerationError) -> None:
    if isinstance(error, service.ChecklistIncomplete):
        for name in error.missing:
            ask = (
                "Say how you checked them."
                if name == service.TELEHEALTH_CHECK
                else "Tick this once you have checked it."
            )
            form[name].errors = [*form[name].errors, ask]
        form.decision.errors = [*form.decision.errors, str(error)]
    elif error.field:
        form[error.field].errors = [*form[error.field].errors, str(error)]
    else:
        form.decision.errors = [*form.decision.errors, str(error)]


@bp.post("/moderation/revisions/<int:revision_id>/flags/<code>/dismiss")
def dismiss_flag(revision_id: int, code: str):
    if code not in KINDS:
        abort(404)
    revision = db.get_or_404(ClinicRevision, revision_id)
    form = DismissFlagForm(prefix=f"dismiss-{code}")
    decision_form = DecisionForm(formdata=None)
    if not form.validate():
        return _render_review(revision, decision_form, dismissing=(code, form), status=422)
    try:
        flags.dismiss(revision, code, current_user, form.reason.data)
        db.session.commit()
    except service.ModerationError as error:
        db.session.rollback()
        form.reason.errors = [*form.reason.errors, str(error)]
        return _render_review(revision, decision_form, dismissing=(code, form), status=error.status)
    security.event("flag_dismissed", flag=code, revision=revision.id, clinic=revision.clinic_id)
    flash("The flag is dismissed for this text and hidden from patients.", "success")
    return redirect(
        url_for("moderation.review", revision_id=revision.id, _anchor="red-flags"), code=303
    )


def _render_review(
    revision: ClinicRevision,
    form: DecisionForm,
    *,
    conflict: str = "",
    dismissing: tuple[str, DismissFlagForm] | None = None,
    status: int = 200,
):
    clinic = revision.clinic
    profile = revision.profile
    base = service.base_profile(revision)
    reviewed = flags.reviewed_flags(revision)
    dismiss_forms = {
        item.flag.code: DismissFlagForm(formdata=None, prefix=f"dismiss-{item.flag.code}")
        for item in reviewed
        if item.flag.dismissable and item.dismissal is None
    }
    if dismissing is not None and dismissing[0] in dismiss_forms:
        dismiss_forms[dismissing[0]] = dismissing[1]  # the form sent back keeps what was typed
    elif dismissing is not None:  # no form on the page for it: say why at the top
        conflict = conflict or " ".join(dismissing[1].reason.errors)
    return render_template(
        "moderation/review.html",
        revision=revision,
        clinic=clinic,
        profile=profile,
        state=service.revision_state(revision),
        decision=service.decision_of(revision),
        changes=service.profile_changes(base, profile) if base is not None else None,
        all_answers=service.all_answers(profile),
        flags=reviewed,
        dismiss_forms=dismiss_forms,
        npi_check=service.npi_check(profile.npi),
        address=service.address_check(
            profile, clinic_coordinates, current_app.config["GEODATA_PATH"]
        ),
        history=service.revision_history(clinic),
        form=form,
        conflict=conflict,
        latest=listings.latest_revision(clinic),
        approval_checks=service.APPROVAL_CHECKS,
        open_reports=[report for report in reports.reports_about(clinic) if report.is_open],
        public_address=slugs.proposed_address(clinic, profile.name, profile.city),
    ), status


@bp.get("/moderation/clinics/<int:clinic_id>")
def clinic(clinic_id: int):
    clinic = db.get_or_404(Clinic, clinic_id)
    return _render_clinic(clinic, SuspendForm(), RestoreForm())


@bp.post("/moderation/clinics/<int:clinic_id>/suspend")
def suspend(clinic_id: int):
    clinic = db.get_or_404(Clinic, clinic_id)
    form = SuspendForm()
    return _change_listing(clinic, form, service.suspend, "suspend_form", "is suspended")


@bp.post("/moderation/clinics/<int:clinic_id>/restore")
def restore(clinic_id: int):
    clinic = db.get_or_404(Clinic, clinic_id)
    form = RestoreForm()
    return _change_listing(clinic, form, service.restore, "restore_form", "is public again")


def _change_listing(clinic: Clinic, form, action, form_name: str, done: str):
    forms = {"suspend_form": SuspendForm(formdata=None), "restore_form": RestoreForm(formdata=None)}
    forms[form_name] = form
    if not form.validate():
        return _render_clinic(clinic, **forms, status=422)
    try:
        action(clinic, current_user, form.reason.data)
        db.session.commit()
        security.event(f"listing_{action.__name__}", clinic=clinic.id)
    except service.WrongListingState as error:
        db.session.rollback()
        return _render_clinic(clinic, **forms, problem=str(error), status=error.status)
    except service.ModerationError as error:
        db.session.rollback()
        form.reason.errors = [*form.reason.errors, str(error)]
        return _render_clinic(clinic, **forms, status=error.status)
    flash(f"{clinic.name} {done}.", "success")
    return redirect(url_for("moderation.clinic", clinic_id=clinic.id))


@bp.post("/moderation/reports/<int(max=2147483647):report_id>/resolve")
def resolve_report(report_id: int):
    report = db.get_or_404(ProblemReport, report_id)
    clinic = report.clinic
    form = ResolveReportForm(prefix=f"report-{report.id}")
    forms = {"suspend_form": SuspendForm(formdata=None), "restore_form": RestoreForm(formdata=None)}
    if not form.validate():
        return _render_clinic(clinic, **forms, posted=(report.id, form), status=422)
    try:
        reports.resolve(report.id, current_user, form.note.data, utcnow())
        db.session.commit()
    except reports.ReportError as error:
        db.session.rollback()
        if error.field:
            form[error.field].errors = [*form[error.field].errors, str(error)]
            return _render_clinic(clinic, **forms, posted=(report.id, form), status=error.status)
        return _render_clinic(clinic, **forms, problem=str(error), status=error.status)
    security.event("report_resolved", report=report.id, clinic=clinic.id)
    flash(f"The report about {clinic.name} is resolved; your note is in the audit log.", "success")
    return redirect(url_for("moderation.clinic", clinic_id=clinic.id, _anchor="reports"), code=303)


def _render_clinic(
    clinic: Clinic,
    suspend_form,
    restore_form,
    *,
    problem: str = "",
    posted: tuple[int, ResolveReportForm] | None = None,
    status: int = 200,
):
    clinic_reports = reports.reports_about(clinic)
    report_forms = {
        report.id: ResolveReportForm(formdata=None, prefix=f"report-{report.id}")
        for report in clinic_reports
        if report.is_open
    }
    if posted is not None and posted[0] in report_forms:
        report_forms[posted[0]] = posted[1]  # the form sent back keeps what was typed
    return render_template(
        "moderation/clinic.html",
        clinic=clinic,
        reports=clinic_reports,
        report_forms=report_forms,
        history=service.revision_history(clinic),
        verifications=service.verifications(clinic),
        latest_verification=latest_verification(clinic),
        events=service.audit_events(clinic),
        audit_actions=service.AUDIT_ACTIONS,
        suspend_form=suspend_form,
        restore_form=restore_form,
        problem=problem,
    ), status
