"""HTTP handlers of the dashboard blueprint: clinic staff's clinics, profiles and submissions.

Every route is for clinic staff only (moderators get 403, visitors are sent to
sign in), and a clinic the user does not manage answers 404 like a missing one.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from portal import freshness, limits, listings, security
from portal.auth import staff_required
from portal.dashboard import bp, service
from portal.dashboard.forms import ProfileForm
from portal.dashboard.sections import ANSWER_VOCABULARIES, FORM_ORDER, MONEY_FIELDS, SECTIONS
from portal.errors import csrf_refused
from portal.extensions import db
from portal.listings import IncompleteProfile, StaleEdit
from portal.models import Clinic, utcnow
from portal.profile import Profile
from portal.reports.service import reports_for_clinics
from portal.vetting import red_flags

NEEDED = "Needed before you can submit for review."
FORM_EXPIRED = (
    "This page was open for a long time, so its security check ran out and nothing was saved. "
    "Everything you typed is still below: check it and save again."
)
# Token problems that happen to a real person whose form sat open too long (Flask-WTF's words).
TIMED_OUT = ("The CSRF token has expired.", "The CSRF session token is missing.")


@bp.errorhandler(CSRFError)
def profile_form_expired(error: CSRFError):
    """A profile form whose token ran out comes back with what was typed, not an error page.

    Only for signed-in staff on their own clinic's form, posted from this site; every
    other refused POST gets the site's 400 page.
    """
    same_site = request.origin in (None, request.host_url.rstrip("/"))
    if not (
        request.endpoint in ("dashboard.new_clinic", "dashboard.edit")
        and error.description in TIMED_OUT
        and same_site
        and current_user.is_authenticated
        and current_user.role == "clinic_staff"
    ):
        return csrf_refused(error)
    clinic = None
    if request.endpoint == "dashboard.edit":
        clinic = service.managed_clinic(current_user, request.view_args["clinic_id"])
        if clinic is None:
            return csrf_refused(error)
    security.event("csrf_failed", reason=error.description, kept_form=True)
    form = ProfileForm()  # the typed answers; its token field carries a fresh token
    return _render_form(form, clinic=clinic, status=400, problem=FORM_EXPIRED)


@bp.context_processor
def answer_formats() -> dict:
    return {
        "answer_vocabularies": ANSWER_VOCABULARIES,
        "money_fields": MONEY_FIELDS,
        "outcomes": service.OUTCOMES,
    }


def _own_clinic(clinic_id: int) -> Clinic:
    clinic = service.managed_clinic(current_user, clinic_id)
    if clinic is None:
        g.portal_access_denied = True  # someone else's clinic, or none: logged
        abort(404)
    return clinic


def _seen_version(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


def _validate(form: ProfileForm) -> bool:
    """The form's own checks, then whether the ZIP code and address can be found."""
    valid = form.validate()
    if not (form.zip.errors or form.state.errors or form.address.errors or form.city.errors):
        place = Profile(
            address=form.address.data or "",
            city=form.city.data or "",
            state=form.state.data or "",
            zip=form.zip.data or "",
        )
        for name, message in service.address_problems(place).items():
            form[name].errors.append(message)
            valid = False
    return valid


def _render_form(
    form: ProfileForm,
    *,
    clinic: Clinic | None,
    status: int = 200,
    problem: str | None = None,
    missing: list[str] | None = None,
    stale: bool = False,
):
    for name in missing or ():
        if NEEDED not in form[name].errors:
            form[name].errors = [*form[name].errors, NEEDED]
    if clinic is None:
        action, workflow, flags = url_for("dashboard.new_clinic"), None, None
    else:
        action = url_for("dashboard.edit", clinic_id=clinic.id)
        workflow = listings.workflow_status(clinic)
        flags = red_flags(listings.working_profile(clinic))
    invalid = [form[name] for name in FORM_ORDER if form[name].errors]
    return render_template(
        "dashboard/edit.html",
        form=form,
        clinic=clinic,
        action=action,
        sections=SECTIONS,
        workflow=workflow,
        flags=flags,
        problem=problem,
        missing=missing or [],
        invalid=invalid,
        stale=stale,
    ), status


def _form_from_draft(clinic: Clinic) -> ProfileForm:
    form = ProfileForm(formdata=None, data=listings.working_profile(clinic).to_dict())
    form.version.data = str(service.draft_version(clinic) or "")
    return form


@bp.get("/dashboard")
@staff_required
def index():
    return _render_index()


def _render_index(*, problem: str = "", status: int = 200):
    clinics = service.managed_clinics(current_user)
    rows = [(clinic, listings.workflow_status(clinic)) for clinic in clinics]
    drafts = {clinic.id: service.draft_version(clinic) for clinic in clinics}
    return render_template(
        "dashboard/index.html",
        rows=rows,
        drafts=drafts,
        reports=reports_for_clinics([clinic.id for clinic in clinics]),
        problem=problem,
    ), status


@bp.post("/dashboard/clinics/<int:clinic_id>/confirm")
@staff_required
def confirm(clinic_id: int):
    """One click: the public listing is still accurate. Recorded; nothing goes to review."""
    try:
        clinic = freshness.confirm_still_accurate(clinic_id, current_user, utcnow())
    except freshness.NotYourClinic:  # another clinic's id reads like a missing one
        db.session.rollback()
        abort(404)
    except freshness.NotPublished as refused:
        db.session.rollback()
        return _render_index(problem=str(refused), status=refused.status)
    db.session.commit()
    flash(
        f"Thank you. {clinic.name} is confirmed as accurate today; patients see today's date "
        "on the listing.",
        "success",
    )
    return redirect(url_for("dashboard.index", _anchor=f"clinic-{clinic.id}"), code=303)


@bp.route("/dashboard/clinics/new", methods=["GET", "POST"])
@staff_required
@limits.profile_writes
def new_clinic():
    form = ProfileForm(data=Profile().to_dict())  # a blank profile's defaults on GET
    if not form.is_submitted():
        return _render_form(form, clinic=None)
    if not _validate(form):
        return _render_form(form, clinic=None, status=422)
    clinic = service.start_clinic(form.profile(), user=current_user)
    if request.form.get("action") == "submit":
        return _submit_after_save(clinic, form, created=True)
    db.session.commit()
    flash("Your draft is saved. Nobody else can see it until you submit it for review.", "success")
    return redirect(url_for("dashboard.edit", clinic_id=clinic.id), code=303)


@bp.route("/dashboard/clinics/<int:clinic_id>/edit", methods=["GET", "POST"])
@staff_required
@limits.profile_writes
def edit(clinic_id: int):
    clinic = _own_clinic(clinic_id)
    if request.method == "GET":
        missing = None
        if request.args.get("check"):  # after "save and submit" on a new, incomplete clinic
            missing = listings.working_profile(clinic).missing_for_submission()
        return _render_form(_form_from_draft(clinic), clinic=clinic, missing=missing)
    form = ProfileForm()
    if not _validate(form):
        return _render_form(form, clinic=clinic, status=422)
    try:
        service.save_profile(
            clinic,
            form.profile(),
            seen_version=_seen_version(form.version.data),
            user=current_user,
        )
    except StaleEdit as stale:
        db.session.rollback()
        return _render_form(form, clinic=clinic, status=409, problem=str(stale), stale=True)
    if request.form.get("action") == "submit":
        return _submit_after_save(clinic, form)
    db.session.commit()
    flash(
        "Your changes are saved as a draft. Submit them for review when they are ready.", "success"
    )
    return redirect(url_for("dashboard.edit", clinic_id=clinic.id), code=303)


INCOMPLETE_SAVED = (
    "Your changes are saved as a draft, but some answers are still needed before it can go "
    "to review."
)


def _submit_after_save(clinic: Clinic, form: ProfileForm, *, created: bool = False):
    """The "save and submit" button: the draft is saved whatever happens to the submission.

    A new clinic's page is left by a redirect, so reloading it cannot create a second clinic.
    """
    version = service.draft_version(clinic)
    try:
        revision = service.submit_for_review(clinic, user=current_user, seen_version=version)
    except IncompleteProfile as incomplete:
        db.session.commit()
        if created:
            flash(INCOMPLETE_SAVED, "error")
            return redirect(url_for("dashboard.edit", clinic_id=clinic.id, check=1), code=303)
        form.version.data = str(version)
        return _render_form(
            form, clinic=clinic, status=422, problem=INCOMPLETE_SAVED, missing=incomplete.missing
        )
    except service.NothingToSubmit as same:
        db.session.commit()
        flash(str(same), "info")
        return redirect(url_for("dashboard.edit", clinic_id=clinic.id), code=303)
    db.session.commit()
    _flash_submitted(revision)
    return redirect(url_for("dashboard.index"), code=303)


@bp.post("/dashboard/clinics/<int:clinic_id>/submit")
@staff_required
@limits.profile_writes
def submit(clinic_id: int):
    """Submit the saved draft, exactly the version the user was looking at."""
    clinic = _own_clinic(clinic_id)
    try:
        revision = service.submit_for_review(
            clinic,
            user=current_user,
            seen_version=_seen_version(request.form.get("version")),
        )
    except StaleEdit as stale:
        db.session.rollback()
        return _render_form(_form_from_draft(clinic), clinic=clinic, status=409, problem=str(stale))
    except IncompleteProfile as incomplete:
        db.session.rollback()
        return _render_form(
            _form_from_draft(clinic),
            clinic=clinic,
            status=422,
            problem="Some answers are still needed before this draft can go to review.",
            missing=incomplete.missing,
        )
    except service.NothingToSubmit as same:
        db.session.rollback()
        return _render_form(_form_from_draft(clinic), clinic=clinic, status=409, problem=str(same))
    db.session.commit()
    _flash_submitted(revision)
    return redirect(url_for("dashboard.index"), code=303)


def _flash_submitted(revision) -> None:
    if revision.kind == "edit":
        text = (
            f"Thank you. Version {revision.number} is waiting for review. Until a moderator "
            "approves it, patients keep seeing your last approved version."
        )
    else:
        text = (
            f"Thank you. Version {revision.number} is waiting for review. Your listing "
            "becomes public once a moderator approves it."
        )
    flash(text, "success")


@bp.get("/dashboard/clinics/<int:clinic_id>/history")
@staff_required
def history(clinic_id: int):
    clinic = _own_clinic(clinic_id)
    return render_template(
        "dashboard/history.html",
        clinic=clinic,
        entries=service.history(clinic),
        workflow=listings.workflow_status(clinic),
    )


@bp.get("/dashboard/clinics/<int:clinic_id>/revisions/<int:number>")
@staff_required
def revision(clinic_id: int, number: int):
    """One submitted version, exactly as it was sent."""
    clinic = _own_clinic(clinic_id)
    found = service.clinic_revision(clinic, number)
    if found is None:
        abort(404)
    entry = next(e for e in service.history(clinic) if e.revision.id == found.id)
    return render_template(
        "dashboard/revision.html",
        clinic=clinic,
        entry=entry,
        revision=found,
        profile=found.profile,
        sections=SECTIONS,
        flags=red_flags(found.profile),
    )
