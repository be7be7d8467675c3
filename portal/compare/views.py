"""HTTP handlers of the compare blueprint: the comparison, the tray, the question sheet."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, g, jsonify, redirect, render_template, request, session, url_for
from markupsafe import Markup

from portal.accounts.service import safe_next
from portal.clinics import service as clinics
from portal.compare import bp, service, tray
from portal.compare.forms import ClearTrayForm, TrayForm
from portal.errors import error_response
from portal.templating import is_stale
from portal.vetting.dismissals import assess_listing

SHOW_CHOICES = ("all", "differences")


@bp.app_template_global()
def compare_tray() -> list[tray.TrayClinic]:
    """The tray's clinics, read once per request (and again only if the tray changed)."""
    wanted = tray.ids(session)
    cached = g.get("compare_tray")
    if cached is None or cached[0] != wanted:
        g.compare_tray = (wanted, tray.clinics(session))
    return g.compare_tray[1]


@bp.app_template_global()
def compare_script() -> Markup:
    """The tag loading compare.js, the first time a page asks; pages without compare controls
    load no script at all."""
    if g.get("compare_script_sent"):
        return Markup("")
    g.compare_script_sent = True
    return Markup('<script src="%s" defer></script>') % url_for("static", filename="js/compare.js")


@bp.app_template_global()
def in_comparison(clinic_id: int) -> bool:
    return clinic_id in tray.ids(session)


@bp.app_template_global()
def comparison_url(ids, **args) -> str:
    """The shareable address of a comparison of these clinic ids."""
    joined = ",".join(str(clinic_id) for clinic_id in ids)
    return url_for("compare.comparison", ids=joined or None, **args)


@bp.get("/compare")
def comparison():
    values = request.args.getlist("ids")
    show = request.args.get("show", "all")
    if show not in SHOW_CHOICES:
        return error_response(400, "That view of the comparison does not exist.")
    if not any(value.strip(" ,") for value in values):
        return render_template("compare/start.html")
    result = service.compare(values, today=date.today())
    if len(result.columns) < 2:
        show = "all"
    status = 200
    if not result.columns:
        status = 400 if {n.kind for n in result.notices} == {"malformed"} else 404
    return render_template("compare/comparison.html", result=result, show=show), status


def _back(form) -> str:
    return safe_next(form.next.data) or url_for("compare.comparison")


def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _tray_answer(message: str, next_url: str, *, status: int = 200, category: str = "success"):
    """After a tray change: JSON for compare.js, else a message and a redirect back."""
    if _wants_json():
        return jsonify(
            message=message,
            tray=render_template("compare/_tray_body.html", tray_next=next_url),
            tray_ids=tray.ids(session),
        ), status
    flash(message, category)
    return None


def _invalid(form: TrayForm):
    errors = [e for field in (form.clinic_id,) for e in field.errors]
    message = errors[0] if errors else "That request could not be understood."
    if _wants_json():
        return jsonify(message=message), 400
    return error_response(400, message)


@bp.post("/compare/tray/add")
def add():
    form = TrayForm()
    if not form.validate():
        return _invalid(form)
    try:
        clinic = tray.add(session, form.clinic_id.data)
    except tray.NotListed as problem:
        if _wants_json():
            return jsonify(message=str(problem)), 404
        return error_response(404, str(problem))
    except tray.TrayFull as problem:
        answer = _tray_answer(str(problem), _back(form), status=409, category="error")
        return answer or redirect(_back(form), code=303)
    count = len(tray.ids(session))
    message = f"{clinic.name} is in your comparison ({count} of {service.MAX_CLINICS})."
    answer = _tray_answer(message, _back(form))
    return answer or redirect(_back(form), code=303)


@bp.post("/compare/tray/remove")
def remove():
    form = TrayForm()
    if not form.validate():
        return _invalid(form)
    tray.remove(session, form.clinic_id.data)
    answer = _tray_answer("Removed from your comparison.", _back(form))
    return answer or redirect(_back(form), code=303)


@bp.post("/compare/tray/clear")
def clear():
    form = ClearTrayForm()
    if not form.validate():
        return error_response(400)
    tray.clear(session)
    answer = _tray_answer("Your comparison is empty again.", _back(form))
    return answer or redirect(_back(form), code=303)


@bp.get("/clinics/<slug>/questions")
def questions(slug: str):
    """A printable sheet of the questions to ask this clinic, its answers filled in."""
    clinic = clinics.published_clinic_by_slug(slug)
    if clinic is None:
        abort(404)
    profile = clinic.profile
    return render_template(
        "compare/questions.html",
        clinic=clinic,
        profile=profile,
        assessment=(assessment := assess_listing(clinic.id, profile)),
        flags=assessment.flags,
        stale=is_stale(clinic),
    )
