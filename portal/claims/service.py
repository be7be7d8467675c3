"""Claims on listings that have no staff (samples, imports): prove it, then a moderator decides.

Two ways to show a listing is yours: an address at the clinic website's own
domain (we send a link there; free-mail domains prove nothing), or evidence
for the moderators. Either way the claim waits in the moderators' queue, and
approving it only makes the claimant the clinic's owner: the public listing
changes later through the usual review, never through the claim.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal import listings
from portal.accounts.tokens import TokenProblem
from portal.claims.models import ClinicClaim
from portal.extensions import db
from portal.mail.outbox import enqueue, public_url
from portal.models import Clinic, ClinicManager, User

CLAIM_LINK_DAYS = 7
MAX_EVIDENCE = 4000
MAX_NOTE = 4000

# Anyone can get an address at these: they prove nothing about working at a clinic.
FREE_MAIL_DOMAINS: frozenset[str] = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "ymail.com", "rocketmail.com", "outlook.com",
    "hotmail.com", "live.com", "msn.com", "aol.com", "icloud.com", "me.com", "mac.com",
    "proton.me", "protonmail.com", "pm.me", "gmx.com", "gmx.net", "mail.com", "zoho.com",
    "yandex.com", "yandex.ru", "fastmail.com", "hey.com", "tutanota.com", "tuta.io",
    "comcast.net", "verizon.net", "att.net", "sbcglobal.net", "cox.net", "charter.net",
    "earthlink.net", "mail.ru", "qq.com", "163.com", "web.de", "inbox.com", "duck.com",
})  # fmt: skip


class ClaimError(Exception):
    """A claim rule was broken; the message is safe to show."""

    status = 422
    field: str | None = None


class AlreadyManaged(ClaimError):
    status = 409


class AddressNotAtDomain(ClaimError):
    field = "work_email"


class EvidenceRequired(ClaimError):
    field = "evidence"


class AlreadyDecided(ClaimError):
    status = 409


class NotAModerator(ClaimError):
    status = 403


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def website_domain(website: str) -> str | None:
    """The clinic website's host without `www.`; None without one (or for an IP address)."""
    host = (urlsplit(website if "//" in (website or "") else f"//{website}").hostname or "").lower()
    host = host.removeprefix("www.").rstrip(".")
    if not host or "." not in host:
        return None
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return None if host in FREE_MAIL_DOMAINS else host
    return None


def is_claimable(clinic: Clinic) -> bool:
    """A listing nobody manages (the sample clinics, imported ones)."""
    return (
        db.session.scalar(select(ClinicManager.user_id).where(ClinicManager.clinic_id == clinic.id))
        is None
    )


def open_claim(clinic: Clinic, user: User) -> ClinicClaim | None:
    return db.session.scalar(
        select(ClinicClaim).where(
            ClinicClaim.clinic_id == clinic.id,
            ClinicClaim.claimant_id == user.id,
            ClinicClaim.status.in_(("awaiting_email", "waiting")),
        )
    )


def _check_can_claim(clinic: Clinic, user: User) -> None:
    if user.is_moderator:
        raise ClaimError("Moderators cannot claim listings.")
    if not is_claimable(clinic):
        raise AlreadyManaged(
            "This listing already has staff. Ask its team's owner to invite you instead."
        )
    if open_claim(clinic, user) is not None:
        raise AlreadyDecided("You already have a claim on this listing waiting.")


def claim_by_domain(clinic: Clinic, user: User, work_email: str, now: datetime) -> ClinicClaim:
    """Send a confirmation link to an address at the clinic's website domain."""
    _check_can_claim(clinic, user)
    domain = website_domain(clinic.website)
    if domain is None:
        raise AddressNotAtDomain(
            "This listing has no website of its own to compare with, so send evidence to the "
            "moderators instead."
        )
    work_email = (work_email or "").strip().lower()
    email_domain = work_email.rpartition("@")[2]
    if email_domain in FREE_MAIL_DOMAINS:
        raise AddressNotAtDomain(
            f"Anyone can have an address at {email_domain}. Use your address at {domain}, "
            "or send evidence to the moderators instead."
        )
    if email_domain != domain and not email_domain.endswith("." + domain):
        raise AddressNotAtDomain(
            f"The clinic's website is at {domain}; use an address ending in @{domain}."
        )
    token = secrets.token_urlsafe(32)
    claim = ClinicClaim(
        clinic_id=clinic.id,
        claimant_id=user.id,
        method="domain",
        work_email=work_email,
        token_digest=_digest(token),
        status="awaiting_email",
        created_at=now,
    )
    db.session.add(claim)
    db.session.flush()
    enqueue(
        work_email,
        f"Confirm your claim on {clinic.name}",
        "claim_confirm",
        kind="claim",
        sensitive=True,
        clinic=clinic,
        link=public_url("claims.confirm", token=token),
        days=CLAIM_LINK_DAYS,
    )
    listings.record(
        "claim_started", actor=user, clinic=clinic, detail=f"Claim {claim.id}: by {work_email}."
    )
    return claim


def claim_with_evidence(clinic: Clinic, user: User, evidence: str, now: datetime) -> ClinicClaim:
    """Ask the moderators directly, with something they can check."""
    _check_can_claim(clinic, user)
    evidence = (evidence or "").strip()
    if not evidence:
        raise EvidenceRequired(
            "Tell the moderators how they can check that you work at this clinic."
        )
    if len(evidence) > MAX_EVIDENCE:
        raise EvidenceRequired(f"Keep it under {MAX_EVIDENCE:,} characters.")
    claim = ClinicClaim(
        clinic_id=clinic.id,
        claimant_id=user.id,
        method="evidence",
        evidence=evidence,
        status="waiting",
        created_at=now,
    )
    db.session.add(claim)
    db.session.flush()
    listings.record(
        "claim_started", actor=user, clinic=clinic, detail=f"Claim {claim.id}: with evidence."
    )
    return claim


def find_for_confirmation(token: str, now: datetime) -> ClinicClaim:
    """The claim behind an emailed link; TokenProblem says why it cannot be used."""
    claim = db.session.scalar(
        select(ClinicClaim).where(ClinicClaim.token_digest == _digest(token or ""))
    )
    if claim is None:
        raise TokenProblem("invalid")
    if claim.status != "awaiting_email":
        raise TokenProblem("used")
    if claim.created_at + timedelta(days=CLAIM_LINK_DAYS) <= now:
        raise TokenProblem("expired")
    return claim


def confirm_domain(token: str, now: datetime) -> ClinicClaim:
    """The link reached the work address: the claim goes to the moderators' queue."""
    claim = find_for_confirmation(token, now)
    claim.status = "waiting"
    claim.email_confirmed_at = now
    db.session.flush()
    listings.record(
        "claim_email_confirmed",
        actor=None,
        clinic=claim.clinic,
        detail=f"Claim {claim.id}: {claim.work_email} confirmed by its link.",
    )
    return claim


def waiting_claims() -> list[ClinicClaim]:
    """Claims for moderators, the oldest first."""
    return list(
        db.session.scalars(
            select(ClinicClaim)
            .options(joinedload(ClinicClaim.clinic), joinedload(ClinicClaim.claimant))
            .where(ClinicClaim.status == "waiting")
            .order_by(ClinicClaim.created_at, ClinicClaim.id)
        )
    )


def decide(claim_id: int, moderator: User, approve: bool, note: str, now: datetime) -> ClinicClaim:
    """Approve (the claimant becomes owner) or refuse (with a note the claimant reads)."""
    if moderator is None or not moderator.is_moderator:
        raise NotAModerator("Only moderators decide on claims.")
    note = (note or "").strip()
    claim = db.session.scalar(
        select(ClinicClaim)
        .where(ClinicClaim.id == claim_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if claim is None or claim.status != "waiting":
        raise AlreadyDecided("This claim is not waiting for a decision any more.")
    if len(note) > MAX_NOTE:
        raise ClaimError(f"Keep the note under {MAX_NOTE:,} characters.")
    db.session.scalar(select(Clinic.id).where(Clinic.id == claim.clinic_id).with_for_update())
    if approve:
        if not is_claimable(claim.clinic):
            raise AlreadyManaged(
                "This listing got staff in the meantime; refuse this claim and point the "
                "claimant to the team's owner."
            )
        db.session.add(
            ClinicManager(user_id=claim.claimant_id, clinic_id=claim.clinic_id, role="owner")
        )
    elif not note:
        raise ClaimError("Write why the claim is refused; the claimant reads it.")
    claim.status = "approved" if approve else "refused"
    claim.decided_at = now
    claim.decided_by_id = moderator.id
    claim.decision_note = note
    db.session.flush()
    listings.record(
        "claim_approved" if approve else "claim_refused",
        actor=moderator,
        clinic=claim.clinic,
        detail=f"Claim {claim.id} by {claim.claimant.email}" + (f": {note}" if note else "."),
    )
    enqueue(
        claim.claimant.email,
        f"Your claim on {claim.clinic.name}",
        "claim_decided",
        kind="claim",
        claim=claim,
        clinic=claim.clinic,
        dashboard_url=public_url("dashboard.index"),
    )
    return claim
