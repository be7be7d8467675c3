"""Claims on listings nobody manages: prove a work address or send evidence; moderators decide.

Links travel through a real SMTP server (aiosmtpd) in the test process.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.claims.models import ClinicClaim
from portal.extensions import db
from portal.models import Clinic, ClinicManager
from tests.factories import clean_profile, make_clinic
from tests.mailbox import ClosingClient, link_in, text_of


@pytest.fixture
def app_config(app_config, mail_server):
    return {**app_config, **mail_server.settings()}


@pytest.fixture
def app(app):
    app.test_client_class = ClosingClient
    return app


@pytest.fixture
def unmanaged():
    """A published listing with no staff, like the sample and imported ones."""
    return make_clinic(
        clean_profile(name="Harbor Test Clinic", website="https://www.harbor-test.example/")
    )


def page(response) -> str:
    return response.get_data(as_text=True)


def claim_url(clinic) -> str:
    return f"/clinics/{clinic.slug}/claim"


def claim_by_domain(actor, clinic, address: str):
    return actor.submit(
        claim_url(clinic), {"domain-work_email": address}, action=f"{claim_url(clinic)}/domain"
    )


def public_page(browser, clinic) -> str:
    """The listing as patients read it (its forms' CSRF tokens differ per request)."""
    html = page(browser.get(f"/clinics/{clinic.slug}"))
    return re.sub(r'name="csrf_token"[^>]*>', "", html)


def test_only_a_listing_without_staff_asks_is_this_your_clinic(browser, unmanaged, staff):
    assert "Is this your clinic?" in public_page(browser, unmanaged)
    managed = make_clinic(manager=staff.user)
    assert "Is this your clinic?" not in public_page(browser, managed)


def test_claim_by_domain_then_a_moderator_approves(
    app, browser, unmanaged, staff, moderator, mail_server
):
    before = public_page(browser, unmanaged)
    staff.login()
    assert "harbor-test.example" in page(staff.get(claim_url(unmanaged)))
    sent = claim_by_domain(staff, unmanaged, "Director@Harbor-Test.example")
    assert sent.status_code == 303

    message = mail_server.last_to("director@harbor-test.example")
    assert message["Subject"] == "Confirm your claim on Harbor Test Clinic"
    assert "nothing on the public listing changes by itself" in text_of(message)
    link = link_in(message, "/claims/confirm/")

    moderator.login()
    assert "No claims wait" in page(moderator.get("/moderation"))  # not before the link is used
    assert staff.client.get(link).status_code == 200  # a scanner opening it confirms nothing
    assert db.session.scalar(select(ClinicClaim.status)) == "awaiting_email"
    confirmed = staff.submit(link)
    assert confirmed.status_code == 200
    assert "now waits for a moderator" in page(confirmed)
    assert staff.client.get(link).status_code == 410  # used

    queue = page(moderator.get("/moderation"))
    assert "Harbor Test Clinic" in queue and "director@harbor-test.example" in queue
    claim = db.session.scalar(select(ClinicClaim))
    assert claim.status == "waiting"
    assert public_page(browser, unmanaged) == before  # a claim changes nothing public
    db.session.expire_all()
    assert (
        db.session.scalar(select(ClinicManager).where(ClinicManager.clinic_id == unmanaged.id))
        is None
    )

    review = f"/moderation/claims/{claim.id}"
    decided = moderator.submit(review, {"decision": "approve", "note": ""})
    assert decided.status_code == 303
    db.session.expire_all()
    owner = db.session.scalar(select(ClinicManager).where(ClinicManager.clinic_id == unmanaged.id))
    assert (owner.user_id, owner.role) == (staff.user.id, "owner")
    assert "was approved" in text_of(mail_server.last_to(staff.user.email))
    assert "Harbor Test Clinic" in page(staff.get("/dashboard"))
    assert "Is this your clinic?" not in public_page(browser, unmanaged)
    db.session.expire_all()
    clinic = db.session.get(Clinic, unmanaged.id)
    assert (clinic.status, clinic.name, clinic.website) == (
        "published",
        "Harbor Test Clinic",
        "https://www.harbor-test.example/",
    )


def test_a_used_claim_link_gets_a_clear_page(staff, unmanaged, mail_server):
    staff.login()
    claim_by_domain(staff, unmanaged, "director@harbor-test.example")
    link = link_in(mail_server.last_to("director@harbor-test.example"), "/claims/confirm/")
    assert staff.submit(link).status_code == 200
    again = staff.client.get(link)
    assert again.status_code == 410
    assert "already used" in page(again)
    forged = staff.client.get("/claims/confirm/forged")
    assert forged.status_code == 400
    assert "This link cannot be used" in page(forged)


@pytest.mark.parametrize(
    "address, says",
    [
        ("someone@gmail.com", "Anyone can have an address at gmail.com"),
        ("someone@other-clinic.example", "use an address ending in @harbor-test.example"),
        ("someone@notharbor-test.example", "use an address ending in @harbor-test.example"),
    ],
)
def test_addresses_that_prove_nothing_are_refused_and_kept_in_the_form(
    staff, unmanaged, mail_server, address, says
):
    staff.login()
    response = claim_by_domain(staff, unmanaged, address)
    assert response.status_code == 422
    assert says in page(response)
    assert f'value="{address}"' in page(response)
    assert db.session.scalar(select(ClinicClaim)) is None
    assert mail_server.to(address, wait=0.2) == []


def test_a_subdomain_address_is_accepted(staff, unmanaged, mail_server):
    staff.login()
    assert claim_by_domain(staff, unmanaged, "dr@mail.harbor-test.example").status_code == 303
    assert mail_server.last_to("dr@mail.harbor-test.example")


def test_claim_with_evidence_refused_with_a_note(staff, unmanaged, moderator, mail_server):
    staff.login()
    evidence = "I am the practice manager; call the front desk and ask for Sam."
    sent = staff.submit(
        claim_url(unmanaged),
        {"evidence-evidence": evidence},
        action=f"{claim_url(unmanaged)}/evidence",
    )
    assert sent.status_code == 303
    claim = db.session.scalar(select(ClinicClaim))
    assert claim.status == "waiting"

    moderator.login()
    review = f"/moderation/claims/{claim.id}"
    assert evidence in page(moderator.get(review))
    no_note = moderator.submit(review, {"decision": "refuse", "note": ""})
    assert no_note.status_code == 422
    assert "Write why the claim is refused" in page(no_note)
    note = "The front desk had never heard of you."
    assert moderator.submit(review, {"decision": "refuse", "note": note}).status_code == 303
    message = mail_server.last_to(staff.user.email)
    assert "was not approved" in text_of(message) and note in text_of(message)
    db.session.expire_all()
    assert (
        db.session.scalar(select(ClinicManager).where(ClinicManager.clinic_id == unmanaged.id))
        is None
    )
    late = moderator.post(review, {"decision": "approve"}, token_from="/moderation")
    assert late.status_code == 409
    assert "not waiting for a decision" in page(late)


def test_a_listing_with_staff_cannot_be_claimed(staff, other_staff):
    managed = make_clinic(manager=staff.user)
    other_staff.login()
    response = claim_by_domain(other_staff, managed, "me@harbor-test.example")
    assert response.status_code == 409
    assert "already has staff" in page(response)


def test_a_listing_without_its_own_website_must_use_evidence(staff, mail_server):
    clinic = make_clinic(clean_profile(name="Gmail Clinic", website="https://gmail.com/clinic"))
    staff.login()
    assert "no website of its own" in page(staff.get(claim_url(clinic)))
    response = claim_by_domain(staff, clinic, "someone@gmail.com")
    assert response.status_code == 422
