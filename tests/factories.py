"""Builders for test data: clean profiles, users and clinics in any state."""

from __future__ import annotations

from datetime import date
from itertools import count

from sqlalchemy import select

from portal import listings
from portal.extensions import db
from portal.models import Clinic, User, utcnow
from portal.profile import Profile

_numbers = count(1)
TEST_PASSWORD = "correct horse battery staple"


def clean_profile(**overrides) -> Profile:
    """A profile that answers everything and raises no red flag."""
    values = dict(
        name="Harbor Test Clinic",
        description="A calm outpatient clinic for ketamine treatment.",
        address="100 Test Street",
        city="San Diego",
        state="CA",
        zip="92101",
        phone="(619) 555-0100",
        website="https://harbor-test.example",
        email="hello@harbor-test.example",
        npi="1234567893",
        licence_state="CA",
        licence_number="A123456",
        accepting_new_patients=True,
        treatments_administered=2500,
        years_offering=6,
        director_discipline="psychiatry",
        physician_on_site=True,
        screens_medical_history=True,
        screens_psychiatric_evaluation=True,
        screens_prior_treatments=True,
        screens_contraindications=True,
        session_monitor="physician",
        monitors_blood_pressure=True,
        monitors_heart_rate=True,
        monitors_oxygen=True,
        monitors_ecg=False,
        recovery_minutes=120,
        transport_required=True,
        fasting_hours=6,
        pharmaceutical_grade=True,
        emergency_trained=True,
        offers_home_iv=False,
        in_person_evaluation=True,
        therapy="in_house",
        routes=("iv", "esketamine"),
        conditions=("depression", "ptsd"),
        induction_sessions=6,
        induction_weeks=2,
        maintenance_offered=True,
        price_min=450,
        price_max=700,
        consultation_fee=150,
        payment_options=("payment_plan", "insurance_verification"),
    )
    values.update(overrides)
    return Profile.from_dict(values)


def make_user(
    role: str = "clinic_staff",
    email: str | None = None,
    password: str = TEST_PASSWORD,
    *,
    verified: bool = True,
) -> User:
    from portal.auth import hash_password

    user = User(
        email=email or f"user{next(_numbers)}@clinic.example",
        password_hash=hash_password(password),
        role=role,
        email_verified_at=utcnow() if verified else None,
    )
    db.session.add(user)
    db.session.commit()
    return user


def make_clinic(
    profile: Profile | None = None,
    *,
    status: str = "published",
    manager: User | None = None,
    verified_on: date | None = None,
    coordinates: tuple[float, float] | None = (32.7185, -117.1593),
) -> Clinic:
    """A clinic taken through the real workflow up to `status`."""
    profile = profile or clean_profile(name=f"Test Clinic {next(_numbers)}")
    clinic = listings.create_clinic(profile, manager=manager)
    if status in ("pending", "published"):
        revision = listings.submit_revision(clinic, user=manager)
        if status == "published":
            listings.publish_revision(
                revision,
                moderator=None,
                today=verified_on or date.today(),
                checklist=listings.Checklist(),
                coordinates=coordinates,
            )
    db.session.commit()
    return clinic


def published_clinics() -> list[Clinic]:
    return list(db.session.scalars(select(Clinic).where(Clinic.status == "published")))
