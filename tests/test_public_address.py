"""A listing's public address comes from the name a moderator approves; renames redirect;
clinics created or approved with one name at the same moment all get through (no 500)."""

from __future__ import annotations

import re
import threading
from collections import Counter

import requests
from sqlalchemy import select

from portal.extensions import db
from portal.listings.slugs import is_provisional
from portal.models import Clinic, ClinicRevision, User
from tests import servers
from tests.conftest import csrf_token_from
from tests.factories import clean_profile, make_clinic, make_user
from tests.helpers import APPROVE, decide, edit_url, form_data, send, text_of
from tests.servers import app_env, gunicorn

SPAM_NAME = "Guaranteed Cure No Prescription Needed Buy Now"


def staff_edits_and_submits(staff, clinic_id: int, profile) -> None:
    answer = send(staff, edit_url(clinic_id), form_data(profile), action="submit")
    assert answer.status_code == 303, text_of(answer)[:500]


def _pending_revision(clinic_id: int) -> int:
    return db.session.scalar(
        select(ClinicRevision.id)
        .where(ClinicRevision.clinic_id == clinic_id)
        .order_by(ClinicRevision.number.desc())
        .limit(1)
    )


def test_the_approved_name_sets_the_address_not_the_first_draft(staff, moderator, client):
    staff.login()
    moderator.login()
    draft = make_clinic(clean_profile(name=SPAM_NAME), status="draft", manager=staff.user)
    draft_slug = draft.slug
    assert is_provisional(draft_slug)
    staff_edits_and_submits(staff, draft.id, clean_profile(name="Quiet Harbor Clinic"))
    revision_id = _pending_revision(draft.id)

    review = text_of(moderator.get(f"/moderation/revisions/{revision_id}"))
    assert "Public web address if approved" in review
    assert "/clinics/quiet-harbor-clinic" in review

    assert decide(moderator, revision_id, APPROVE).status_code == 302
    assert "Quiet Harbor Clinic" in text_of(client.get("/clinics/quiet-harbor-clinic"))
    assert client.get("/clinics/guaranteed-cure-no-prescription-needed-buy-now").status_code == 404
    assert client.get(f"/clinics/{draft_slug}").status_code == 404


def test_an_approved_rename_moves_the_address_and_the_old_one_redirects(staff, moderator, client):
    staff.login()
    moderator.login()
    clinic = make_clinic(clean_profile(name="Harbor Light Clinic"), manager=staff.user)
    assert clinic.slug == "harbor-light-clinic"
    clinic_id = clinic.id

    staff_edits_and_submits(staff, clinic_id, clean_profile(name="Harbor Light Ketamine"))
    revision_id = _pending_revision(clinic_id)
    review = text_of(moderator.get(f"/moderation/revisions/{revision_id}"))
    assert "/clinics/harbor-light-ketamine" in review
    assert "Changes from <code>/clinics/harbor-light-clinic</code>" in review
    # while it waits, the old address is the listing itself
    assert client.get("/clinics/harbor-light-clinic").status_code == 200
    assert decide(moderator, revision_id, APPROVE).status_code == 302

    moved = client.get("/clinics/harbor-light-clinic")
    assert moved.status_code == 301
    assert moved.headers["Location"] == "/clinics/harbor-light-ketamine"
    assert "Harbor Light Ketamine" in text_of(client.get("/clinics/harbor-light-ketamine"))

    staff_edits_and_submits(staff, clinic_id, clean_profile(name="Harbor Light Care"))
    assert decide(moderator, _pending_revision(clinic_id), APPROVE).status_code == 302
    for old in ("harbor-light-clinic", "harbor-light-ketamine"):
        answer = client.get(f"/clinics/{old}")
        assert (answer.status_code, answer.headers["Location"]) == (
            301,
            "/clinics/harbor-light-care",
        )
    # an unchanged name keeps its address
    staff_edits_and_submits(
        staff, clinic_id, clean_profile(name="Harbor Light Care", recovery_minutes=90)
    )
    assert decide(moderator, _pending_revision(clinic_id), APPROVE).status_code == 302
    assert db.session.get(Clinic, clinic_id).slug == "harbor-light-care"


def test_the_same_approved_name_twice_gets_the_city_then_a_number(app):
    first = make_clinic(clean_profile(name="Twin Clinic", city="Austin"))
    second = make_clinic(clean_profile(name="Twin Clinic", city="Austin"))
    third = make_clinic(clean_profile(name="Twin Clinic", city="Austin"))
    assert [first.slug, second.slug, third.slug] == [
        "twin-clinic",
        "twin-clinic-austin",
        "twin-clinic-2",
    ]


def _signed_in(base: str, email: str) -> requests.Session:
    session = requests.Session()
    page = session.get(base + "/account/login")
    response = session.post(
        base + "/account/login",
        data={
            "email": email,
            "password": "correct horse battery staple",
            "csrf_token": csrf_token_from(page.text),
        },
        allow_redirects=False,
    )
    assert response.status_code == 303, response.text[:300]
    return session


def _all_at_once(sessions, act) -> list[requests.Response]:
    """Each session acts in its own thread, released together."""
    barrier = threading.Barrier(len(sessions))
    answers: list = [None] * len(sessions)

    def run(index: int) -> None:
        barrier.wait()
        try:
            answers[index] = act(index, sessions[index])
        except Exception as error:  # noqa: BLE001 (reported below as a failure)
            answers[index] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(sessions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


ROUNDS = 5
SESSIONS = 4


def test_four_sessions_create_and_get_approved_with_one_name_at_once(app):
    """Under gunicorn (4 workers): no 500, every profile stored, every address different."""
    staff = [make_user() for _ in range(SESSIONS)]
    moderators = [make_user(role="moderator") for _ in range(SESSIONS)]
    staff_emails = [user.email for user in staff]
    moderator_emails = [user.email for user in moderators]
    db.session.remove()
    statuses = Counter()
    with gunicorn(app_env(app), workers=4) as base:
        writers = [_signed_in(base, email) for email in staff_emails]
        deciders = [_signed_in(base, email) for email in moderator_emails]
        for round_number in range(ROUNDS):
            name = f"Same Name Clinic {round_number}"

            def create(index: int, session: requests.Session, name=name) -> requests.Response:
                page = session.get(base + "/dashboard/clinics/new")
                data = form_data(
                    clean_profile(name=name, description=f"Written by writer {index}."),
                    csrf_token=csrf_token_from(page.text),
                    action="submit",
                )
                return session.post(
                    base + "/dashboard/clinics/new", data=data, allow_redirects=False
                )

            answers = _all_at_once(writers, create)
            statuses.update(getattr(a, "status_code", repr(a)) for a in answers)
            revisions = db.session.scalars(
                select(ClinicRevision.id)
                .join(Clinic, Clinic.id == ClinicRevision.clinic_id)
                .where(Clinic.name == name)
                .order_by(ClinicRevision.id)
            ).all()
            db.session.remove()

            def approve(index: int, session: requests.Session, revisions=revisions):
                url = f"{base}/moderation/revisions/{revisions[index]}"
                page = session.get(url)
                data = {**APPROVE, "csrf_token": csrf_token_from(page.text)}
                return session.post(url + "/decision", data=data, allow_redirects=False)

            if len(revisions) == SESSIONS:
                answers = _all_at_once(deciders, approve)
                statuses.update(getattr(a, "status_code", repr(a)) for a in answers)
    print(f"\n{ROUNDS} rounds x {SESSIONS} creations and approvals at once: {dict(statuses)}")
    assert set(statuses) <= {302, 303}, (dict(statuses), servers.last_log.read_text()[-3000:])

    for round_number in range(ROUNDS):
        name = f"Same Name Clinic {round_number}"
        clinics = db.session.scalars(select(Clinic).where(Clinic.name == name)).all()
        assert len(clinics) == SESSIONS  # nothing lost
        assert {c.status for c in clinics} == {"published"}
        descriptions = sorted(c.description for c in clinics)
        assert descriptions == [f"Written by writer {n}." for n in range(SESSIONS)]
        slugs = {c.slug for c in clinics}
        assert len(slugs) == SESSIONS
        pattern = rf"same-name-clinic-{round_number}(-[a-z0-9-]+)?"
        assert all(re.fullmatch(pattern, slug) for slug in slugs)
    assert db.session.scalar(select(User.id).where(User.email == staff_emails[0]))
