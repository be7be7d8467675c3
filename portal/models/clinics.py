"""The public listing (`Clinic`) and its coded answers, one row per code."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import vocab
from portal.extensions import db

if TYPE_CHECKING:  # relationships name each other; SQLAlchemy resolves them by name
    from portal.models.accounts import User
    from portal.models.workflow import ClinicDraft, ClinicRevision

from portal.models.base import _in, utcnow
from portal.profile import CODE_KINDS, LIST_FIELDS, LIST_VOCABULARIES, PROFILE_FIELDS, Profile


class Clinic(db.Model):
    """A listing. Profile columns hold the approved version; see the module docstring."""

    __tablename__ = "clinics"
    __table_args__ = (
        CheckConstraint(_in("status", vocab.LISTING_STATUS), name="status"),
        CheckConstraint(
            "price_min IS NULL OR price_max IS NULL OR price_min <= price_max", name="price_range"
        ),
        Index("ix_clinics_status_lat_lng", "status", "lat", "lng"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    is_sample: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Indexed: its newest value is the listings' version, which keys the search cache.
    updated_at: Mapped[datetime] = mapped_column(
        DateTime, default=utcnow, onupdate=utcnow, index=True
    )

    lat: Mapped[float | None] = mapped_column(index=True)
    lng: Mapped[float | None] = mapped_column(index=True)
    verified_at: Mapped[date | None] = mapped_column(Date)
    verification_expires: Mapped[date | None] = mapped_column(Date, index=True)
    # When the clinic (one-click "still accurate") or a moderator (approval) last confirmed it.
    last_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    suspended_reason: Mapped[str | None] = mapped_column(Text)
    published_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("clinic_revisions.id", use_alter=True)
    )

    # The approved profile (portal.profile.Profile, field for field).
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(2), default="")
    zip: Mapped[str] = mapped_column(String(10), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    npi: Mapped[str] = mapped_column(String(10), default="")
    licence_state: Mapped[str] = mapped_column(String(2), default="")
    licence_number: Mapped[str] = mapped_column(String(40), default="")
    # Three-valued yes/no facts (profile.TRI_STATE_FIELDS): NULL is "not stated".
    accepting_new_patients: Mapped[bool | None] = mapped_column(index=True)

    treatments_administered: Mapped[int | None] = mapped_column(index=True)
    years_offering: Mapped[int | None]
    director_discipline: Mapped[str | None] = mapped_column(String(30))
    physician_on_site: Mapped[bool | None]
    experience_notes: Mapped[str] = mapped_column(Text, default="")

    screens_medical_history: Mapped[bool] = mapped_column(default=False)
    screens_psychiatric_evaluation: Mapped[bool] = mapped_column(default=False)
    screens_prior_treatments: Mapped[bool] = mapped_column(default=False)
    screens_contraindications: Mapped[bool] = mapped_column(default=False)
    session_monitor: Mapped[str | None] = mapped_column(String(20))
    monitors_blood_pressure: Mapped[bool] = mapped_column(default=False)
    monitors_heart_rate: Mapped[bool] = mapped_column(default=False)
    monitors_oxygen: Mapped[bool] = mapped_column(default=False)
    monitors_ecg: Mapped[bool] = mapped_column(default=False)
    recovery_minutes: Mapped[int | None]
    transport_required: Mapped[bool | None]
    fasting_hours: Mapped[int | None]
    pharmaceutical_grade: Mapped[bool | None]
    emergency_trained: Mapped[bool | None]
    offers_home_iv: Mapped[bool | None]
    in_person_evaluation: Mapped[bool | None]
    safety_notes: Mapped[str] = mapped_column(Text, default="")

    therapy: Mapped[str | None] = mapped_column(String(20), index=True)
    therapy_notes: Mapped[str] = mapped_column(Text, default="")

    induction_sessions: Mapped[int | None]
    induction_weeks: Mapped[int | None]
    maintenance_offered: Mapped[bool | None]
    plan_notes: Mapped[str] = mapped_column(Text, default="")
    price_min: Mapped[int | None] = mapped_column(index=True)
    price_max: Mapped[int | None]
    consultation_fee: Mapped[int | None]
    cost_notes: Mapped[str] = mapped_column(Text, default="")

    telehealth_evaluation: Mapped[str | None] = mapped_column(String(20))
    remote_companion: Mapped[str | None] = mapped_column(String(20))
    remote_monitoring: Mapped[bool | None]
    first_dose_supervised: Mapped[bool | None]
    emergency_plan: Mapped[str] = mapped_column(Text, default="")
    hours: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    timezone: Mapped[str] = mapped_column(String(64), default="")
    # The zone its hours are read in: the stated one, else the one at its coordinates.
    local_timezone: Mapped[str] = mapped_column(String(64), default="")
    accessibility_note: Mapped[str] = mapped_column(Text, default="")
    booking_url: Mapped[str] = mapped_column(String(300), default="")
    clinicians: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)

    route_rows: Mapped[list[ClinicRoute]] = relationship(
        cascade="all, delete-orphan", order_by="ClinicRoute.code", lazy="selectin"
    )
    condition_rows: Mapped[list[ClinicCondition]] = relationship(
        cascade="all, delete-orphan", order_by="ClinicCondition.code", lazy="selectin"
    )
    payment_option_rows: Mapped[list[ClinicPaymentOption]] = relationship(
        cascade="all, delete-orphan", order_by="ClinicPaymentOption.code", lazy="selectin"
    )
    code_rows: Mapped[list[ClinicCode]] = relationship(
        cascade="all, delete-orphan", order_by="ClinicCode.code", lazy="selectin"
    )
    telehealth_state_rows: Mapped[list[ClinicTelehealthState]] = relationship(
        cascade="all, delete-orphan", order_by="ClinicTelehealthState.state", lazy="selectin"
    )
    managers: Mapped[list[User]] = relationship(
        secondary="clinic_managers", back_populates="clinics"
    )
    draft: Mapped[ClinicDraft | None] = relationship(back_populates="clinic", uselist=False)
    revisions: Mapped[list[ClinicRevision]] = relationship(
        back_populates="clinic",
        foreign_keys="ClinicRevision.clinic_id",
        order_by="ClinicRevision.number",
    )
    published_revision: Mapped[ClinicRevision | None] = relationship(
        foreign_keys=[published_revision_id], post_update=True
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def routes(self) -> list[str]:
        return _in_vocab_order(vocab.ROUTES, (row.code for row in self.route_rows))

    @property
    def conditions(self) -> list[str]:
        return _in_vocab_order(vocab.CONDITIONS, (row.code for row in self.condition_rows))

    @property
    def payment_options(self) -> list[str]:
        return _in_vocab_order(
            vocab.PAYMENT_OPTIONS, (row.code for row in self.payment_option_rows)
        )

    def _codes(self, kind: str) -> list[str]:
        return _in_vocab_order(
            LIST_VOCABULARIES[kind], (row.code for row in self.code_rows if row.kind == kind)
        )

    @property
    def settings(self) -> list[str]:
        return self._codes("settings")

    @property
    def languages(self) -> list[str]:
        return self._codes("languages")

    @property
    def accessibility(self) -> list[str]:
        return self._codes("accessibility")

    @property
    def age_groups(self) -> list[str]:
        return self._codes("age_groups")

    @property
    def insurers(self) -> list[str]:
        return self._codes("insurers")

    @property
    def telehealth_states(self) -> list[dict[str, str]]:
        return [
            {"state": row.state, "licence_number": row.licence_number}
            for row in self.telehealth_state_rows
        ]

    @property
    def is_public(self) -> bool:
        return self.status == "published"

    @property
    def profile(self) -> Profile:
        """The approved profile as a `Profile`."""
        return Profile.from_dict({name: getattr(self, name) for name in PROFILE_FIELDS})

    def apply_profile(self, profile: Profile) -> None:
        """Copy a profile onto the listing's columns (the one place this happens)."""
        for name, value in profile.to_dict().items():
            if name not in LIST_FIELDS and name != "telehealth_states":
                setattr(self, name, value)
        _sync_codes(self.route_rows, ClinicRoute, profile.routes)
        _sync_codes(self.condition_rows, ClinicCondition, profile.conditions)
        _sync_codes(self.payment_option_rows, ClinicPaymentOption, profile.payment_options)
        wanted = {(kind, code) for kind in CODE_KINDS for code in getattr(profile, kind)}
        for row in list(self.code_rows):
            if (row.kind, row.code) not in wanted:
                self.code_rows.remove(row)
        have = {(row.kind, row.code) for row in self.code_rows}
        for kind, code in sorted(wanted - have):
            self.code_rows.append(ClinicCode(kind=kind, code=code))
        licences = dict(profile.telehealth_states)
        for row in list(self.telehealth_state_rows):
            if row.state not in licences:
                self.telehealth_state_rows.remove(row)
            else:
                row.licence_number = licences.pop(row.state)
        for state, number in licences.items():
            self.telehealth_state_rows.append(
                ClinicTelehealthState(state=state, licence_number=number)
            )

    def verification_state(self, today: date) -> str:
        """`current`, `expired` or `none`: what the verified badge may say today."""
        if self.verified_at is None or self.verification_expires is None:
            return "none"
        return "current" if self.verification_expires > today else "expired"


def _in_vocab_order(codes: dict[str, str], present) -> list[str]:
    found = set(present)
    return [code for code in codes if code in found]


def _sync_codes(rows: list, model: type, wanted: tuple[str, ...]) -> None:
    """Make a child collection hold exactly `wanted`, keeping rows that stay."""
    wanted_set = set(wanted)
    for row in list(rows):
        if row.code not in wanted_set:
            rows.remove(row)
    have = {row.code for row in rows}
    for code in wanted:
        if code not in have:
            rows.append(model(code=code))
            have.add(code)


class ClinicRoute(db.Model):
    __tablename__ = "clinic_routes"
    __table_args__ = (
        CheckConstraint(_in("code", vocab.ROUTES), name="code"),
        Index("ix_clinic_routes_code_clinic", "code", "clinic_id"),
    )
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(20), primary_key=True)


class ClinicCondition(db.Model):
    __tablename__ = "clinic_conditions"
    __table_args__ = (
        CheckConstraint(_in("code", vocab.CONDITIONS), name="code"),
        Index("ix_clinic_conditions_code_clinic", "code", "clinic_id"),
    )
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(30), primary_key=True)


class ClinicPaymentOption(db.Model):
    __tablename__ = "clinic_payment_options"
    __table_args__ = (
        CheckConstraint(_in("code", vocab.PAYMENT_OPTIONS), name="code"),
        Index("ix_clinic_payment_options_code_clinic", "code", "clinic_id"),
    )
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(30), primary_key=True)


class ClinicCode(db.Model):
    """One coded fact of a listing patients filter on: a setting, language, insurer, ..."""

    __tablename__ = "clinic_codes"
    __table_args__ = (
        CheckConstraint(_in("kind", dict.fromkeys(CODE_KINDS, "")), name="kind"),
        Index("ix_clinic_codes_kind_code_clinic", "kind", "code", "clinic_id"),
    )
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)


class ClinicTelehealthState(db.Model):
    """A state where the listing's prescriber may treat by telehealth, with the licence there."""

    __tablename__ = "clinic_telehealth_states"
    __table_args__ = (
        CheckConstraint(_in("state", vocab.US_STATES), name="state"),
        Index("ix_clinic_telehealth_states_state_clinic", "state", "clinic_id"),
    )
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), primary_key=True)
    state: Mapped[str] = mapped_column(String(2), primary_key=True)
    licence_number: Mapped[str] = mapped_column(String(40), default="")


class FormerSlug(db.Model):
    """An address a listing had before a moderator approved a new name: it redirects (301).

    Unique, so one old address never leads to two clinics.
    """

    __tablename__ = "former_slugs"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    retired_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
