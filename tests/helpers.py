"""Steps and checks several test modules share; they import from here, never from each other."""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import re
import time

from itsdangerous import URLSafeTimedSerializer
from jsonschema import Draft202012Validator
from markupsafe import escape
from sqlalchemy import select, text

from portal import listings
from portal.extensions import db
from portal.models import AuditEvent, Clinic, ClinicDraft, ClinicRevision, ReviewDecision
from portal.profile import TRI_STATE_FIELDS, Profile
from tests.conftest import csrf_token_from
from tests.factories import clean_profile

# Care facts of one in-clinic test clinic: hours past midnight, languages, access, a clinician.
CARE_ANSWERS = dict(
    languages=("en", "es", "ase"),
    hours=(
        ("monday", "09:00", "17:00"),
        ("tuesday", "09:00", "17:00"),
        ("friday", "20:00", "02:00"),
    ),
    accessibility=("step_free_entrance", "elevator"),
    accessibility_note="Lift to every floor.",
    age_groups=("adolescents", "adults"),
    insurers=("medicare",),
    booking_url="https://book.example/clinic",
    clinicians=(("Ana Ruiz", "MD", "medical_director", "1234567893"),),
)

VERSION_PATTERN = re.compile(r'name="version" type="hidden" value="(\d*)"')


def form_data(profile: Profile, **extra) -> dict:
    """What a browser sends for this profile: ticked boxes only, blanks as "", the
    Yes / No / Not stated radio chosen for each three-valued fact."""
    data: dict = {}
    for name, value in profile.to_dict().items():
        if name in TRI_STATE_FIELDS:
            data[name] = {True: "yes", False: "no", None: "unstated"}[value]
        elif isinstance(value, bool):
            if value:
                data[name] = "y"
        elif isinstance(value, list):
            data[name] = value
        else:
            data[name] = "" if value is None else str(value)
    data.update(extra)
    return data


def open_form(actor, url: str) -> tuple[str, str]:
    """Open a form page like a browser tab: its CSRF token and the draft version it shows."""
    page = actor.client.get(url)
    assert page.status_code == 200, url
    html = page.get_data(as_text=True)
    match = VERSION_PATTERN.search(html)
    return csrf_token_from(html), match.group(1) if match else ""


def send(actor, url: str, data: dict, tab: tuple[str, str] | None = None, action: str = "save"):
    """Submit the profile form from an open tab (or a freshly opened one)."""
    token, version = tab or open_form(actor, url)
    payload = {"version": version, **data, "csrf_token": token, "action": action}
    return actor.client.post(url, data=payload)


def edit_url(clinic: Clinic | int) -> str:
    clinic_id = clinic if isinstance(clinic, int) else clinic.id
    return f"/dashboard/clinics/{clinic_id}/edit"


def stored_draft(clinic_id: int) -> Profile:
    db.session.expire_all()
    return db.session.scalar(select(ClinicDraft).where(ClinicDraft.clinic_id == clinic_id)).profile


def html_of(response) -> str:
    return response.get_data(as_text=True)


CHECKED = {
    "licence_state": "CA",
    "licence_number": "A123456",
    "licence_checked_how": "Medical Board of California look-up: active, no discipline.",
    "address_plausible": "y",
    "answers_plausible": "y",
    "red_flags_reviewed": "y",
}


APPROVE = {"decision": "approve", **CHECKED}


def sign_in(actor):
    """Sign in through the login page; returns the actor for chaining."""
    actor.login()
    return actor


def submit_new(profile=None, *, manager=None, submitted_at=None) -> ClinicRevision:
    """A new clinic written and submitted through the listing workflow."""
    clinic = listings.create_clinic(profile or clean_profile(), manager=manager)
    revision = listings.submit_revision(clinic, user=manager, submitted_at=submitted_at)
    db.session.commit()
    return revision


def submit_edit(clinic: Clinic, *, user=None, submitted_at=None, **changes) -> ClinicRevision:
    """The clinic edits its working copy and submits it."""
    profile = dataclasses.replace(listings.working_profile(clinic), **changes)
    listings.save_draft(clinic, profile, expected_version=None, user=user)
    revision = listings.submit_revision(clinic, user=user, submitted_at=submitted_at)
    db.session.commit()
    return revision


def decide(actor, revision_id: int, data: dict):
    return actor.submit(
        f"/moderation/revisions/{revision_id}",
        data,
        action=f"/moderation/revisions/{revision_id}/decision",
    )


def anon_token(client) -> str:
    return csrf_token_from(client.get("/account/login").get_data(as_text=True))


def snapshot() -> dict[str, str]:
    """Every row of every table, as a digest per table (what "nothing changed" means)."""
    db.session.expire_all()
    digests = {}
    for table in db.metadata.sorted_tables:
        order = ", ".join(column.name for column in table.primary_key.columns)
        rows = db.session.execute(text(f"SELECT * FROM {table.name} ORDER BY {order}")).all()  # noqa: S608
        digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest() + f":{len(rows)}"
    db.session.rollback()
    return digests


def expired_token(app, client) -> str:
    """A token for this very session, signed two time limits ago."""
    client.get("/account/login")  # puts a raw token into the session
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    signer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token")
    limit = app.config["WTF_CSRF_TIME_LIMIT"]
    past = int(time.time()) - 2 * limit
    signer.signer_kwargs = {}
    original = signer.make_signer

    def old_signer(salt=None):
        made = original(salt)
        made.get_timestamp = lambda: past
        return made

    signer.make_signer = old_signer
    return signer.dumps(raw)


EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def csp_directives(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def assert_secure_headers(response) -> None:
    policy = csp_directives(response.headers["Content-Security-Policy"])
    for directive, value in EXPECTED_CSP.items():
        assert policy[directive] == value, directive
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


# --- moderation ------------------------------------------------------------------------------

BAD_NPI = "1234567890"  # 1234567893 is the valid one in clean_profile


def text_of(response) -> str:
    return response.get_data(as_text=True)


def actions(clinic_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.clinic_id == clinic_id)
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        )
    )


def decisions_of(revision_id: int) -> list[ReviewDecision]:
    return list(
        db.session.scalars(select(ReviewDecision).where(ReviewDecision.revision_id == revision_id))
    )


def fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


# --- shared by several test modules: forms, OpenAPI schemas, JSON-LD ---


def field_error(page: str, name: str) -> str:
    """The error shown inside the field's own block (next to the field), or ""."""
    match = re.search(rf'<p id="{name}-error" class="error">([^<]*)</p>', page)
    return html.unescape(match.group(1)) if match else ""


def refused(editing, *, kept: bool = True, **typed) -> str:
    """Send a clean profile with some answers changed; it must be refused and keep them
    (a choice that is not on the list cannot be shown again: `kept=False`)."""
    staff, clinic = editing
    before = stored_draft(clinic.id)
    response = send(staff, edit_url(clinic), form_data(clean_profile(name="Form Clinic"), **typed))
    assert response.status_code == 422
    page = html_of(response)
    for value in typed.values() if kept else ():
        if isinstance(value, str) and value:
            assert f'value="{escape(value)}"' in page or str(escape(value)) in page, value
    assert stored_draft(clinic.id) == before
    return page


def accepted(editing, **typed) -> Profile:
    staff, clinic = editing
    response = send(staff, edit_url(clinic), form_data(clean_profile(name="Form Clinic"), **typed))
    assert response.status_code == 303, re.findall(r'class="error">[^<]*', html_of(response))
    return stored_draft(clinic.id)


def schema_validator(app, name: str) -> Draft202012Validator:
    """A validator for one component schema of the served spec (refs resolve inside it)."""
    spec = app.test_client().get("/api/openapi.json").get_json()
    return Draft202012Validator(
        {"$ref": f"#/components/schemas/{name}", "components": spec["components"]}
    )


JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def structured_data(client, slug: str) -> tuple[dict, str]:
    response = client.get(f"/clinics/{slug}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    blocks = JSON_LD.findall(html)
    assert len(blocks) == 1, "expected one JSON-LD block"
    head = html[: html.index("</head>")]
    assert blocks[0] in head, "the JSON-LD block belongs in the page head"
    return json.loads(blocks[0]), blocks[0]
