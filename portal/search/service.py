"""Finding published clinics near a place: the one search the page and the API share.

The database does the cheap, selective work: every filter, and a bounding box
on the indexed lat/lng columns that keeps far-away clinics out. Exact distances
are then computed in Python on those candidates only, which also decides the
order; only the clinics of the requested page are loaded as full objects.

What a patient typed is personal health information: nothing here logs it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from geopy.geocoders.base import Geocoder
from sqlalchemy import exists, select

from portal import vocab
from portal.extensions import db
from portal.forms import DEFAULT_PER_PAGE as DEFAULT_PER_PAGE
from portal.forms import MAX_PAGE as MAX_PAGE
from portal.forms import MAX_PER_PAGE as MAX_PER_PAGE
from portal.geo import EARTH_RADIUS_MILES, Place, bounding_box, geocode_place
from portal.models import Clinic, ClinicCondition, ClinicPaymentOption, ClinicRoute
from portal.search import care
from portal.search.rows import ClinicRow as ClinicRow
from portal.search.rows import load_clinics as load_clinics
from portal.vetting import Assessment, Flag, assess
from portal.vetting.dismissals import dismissed_for

MIN_RADIUS = 1
MAX_RADIUS = 250
DEFAULT_RADIUS = 25
RADIUS_STEPS: tuple[int, ...] = (10, 25, 50, 100, 250)
NEAREST_COUNT = 3  # clinics offered at any distance when none lies within the radius
MAX_PRICE_LIMIT = 100_000

UNKNOWN_LOCATION_MESSAGE = (
    "We could not find that place. Try a 5-digit ZIP code (like 92101), a city and "
    'state (like "Austin, TX"), or a street address that ends with its ZIP code.'
)


class UnknownLocation(Exception):
    """The geocoder knows no place by that name; the message is safe to show."""

    def __init__(self, message: str = UNKNOWN_LOCATION_MESSAGE):
        super().__init__(message)


@dataclass(frozen=True)
class SearchQuery:
    """What a patient asked for, already checked (see `forms.SearchForm`)."""

    location: str
    radius_miles: float = DEFAULT_RADIUS
    routes: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    therapy: tuple[str, ...] = ()
    payment: tuple[str, ...] = ()
    verified: bool = False
    accepting: bool = False
    max_price: int | None = None
    settings: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    insurers: tuple[str, ...] = ()
    age_groups: tuple[str, ...] = ()
    accessibility: tuple[str, ...] = ()
    open_now: bool = False
    sort: str = "distance"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def has_filters(self) -> bool:
        return bool(
            self.routes
            or self.conditions
            or self.therapy
            or self.payment
            or self.verified
            or self.accepting
            or self.max_price is not None
            or self.open_now
            or any(getattr(self, attribute) for attribute, _k, _m in care.CODE_FILTERS.values())
        )

    def to_args(self, **changes: Any) -> list[tuple[str, str]]:
        """Query-string pairs that ask for this search again (unused options left out).

        Pagination, "widen the radius" and "drop the filters" links are built
        from this, so every link keeps exactly what the patient chose.
        """
        query = replace(self, **changes)
        args = [("location", query.location), ("radius", format_miles(query.radius_miles))]
        for name, codes in (
            ("route", query.routes),
            ("condition", query.conditions),
            ("therapy", query.therapy),
            ("payment", query.payment),
            *((name, getattr(query, attr)) for name, (attr, _k, _m) in care.CODE_FILTERS.items()),
        ):
            args.extend((name, code) for code in codes)
        if query.verified:
            args.append(("verified", "1"))
        if query.accepting:
            args.append(("accepting", "1"))
        if query.max_price is not None:
            args.append(("max_price", str(query.max_price)))
        if query.open_now:
            args.append(("open_now", "1"))
        if query.sort != "distance":
            args.append(("sort", query.sort))
        if query.per_page != DEFAULT_PER_PAGE:
            args.append(("per_page", str(query.per_page)))
        if query.page != 1:
            args.append(("page", str(query.page)))
        return args

    def without_filters(self) -> SearchQuery:
        return SearchQuery(
            location=self.location,
            radius_miles=self.radius_miles,
            sort=self.sort,
            per_page=self.per_page,
        )


@dataclass(frozen=True)
class Result:
    """One clinic in the results, with its exact distance, its red flags and open questions."""

    clinic: ClinicRow
    distance_miles: float
    verified: bool
    assessment: Assessment = field(default_factory=lambda: Assessment((), ()))
    open_now: bool | None = None

    @property
    def red_flags(self) -> list[Flag]:
        return list(self.assessment.flags)


@dataclass(frozen=True)
class SearchResults:
    query: SearchQuery
    place: Place
    total: int
    results: list[Result]
    telehealth: list[care.TelehealthProvider] = field(default_factory=list)
    nearest: list[Result] = field(default_factory=list)

    @property
    def state_name(self) -> str:
        return vocab.US_STATES.get(self.place.state or "", "")

    @property
    def page(self) -> int:
        return self.query.page

    @property
    def per_page(self) -> int:
        return self.query.per_page

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first_number(self) -> int:
        """The position of the first result on this page (1-based), for "Showing 21-40"."""
        return (self.page - 1) * self.per_page + 1

    @property
    def last_number(self) -> int:
        return self.first_number + len(self.results) - 1

    @property
    def past_the_end(self) -> bool:
        return self.page > self.pages

    def wider_radius(self) -> int | None:
        """The next radius step up, for "search a wider area"; None at the maximum."""
        return next((step for step in RADIUS_STEPS if step > self.query.radius_miles), None)


def format_miles(miles: float) -> str:
    """25 for 25.0, 12.5 for 12.5: how a radius reads in a URL or a sentence."""
    return f"{miles:g}"


def search(
    query: SearchQuery, *, geocoder: Geocoder, today: date, now: datetime | None = None
) -> SearchResults:
    """Resolve the patient's place, then find published clinics near it.

    Raises UnknownLocation when no place matches, and geo.GeocodingError when
    an online geocoder fails or times out.
    """
    place = geocode_place(geocoder, query.location)
    if place is None:
        raise UnknownLocation()
    return clinics_near(place, query, today=today, now=now)


def clinics_near(
    place: Place, query: SearchQuery, *, today: date, now: datetime | None = None
) -> SearchResults:
    """Published clinics within the radius that pass every filter, in the asked order,
    and the telehealth providers licensed in the place's state."""
    now = now or datetime.now(UTC)
    ranked = rank(place, query, today=today, now=now)
    start = (query.page - 1) * query.per_page
    page = ranked[start : start + query.per_page]
    clinics = load_clinics(row_id for row_id, _distance in page)
    dismissed = dismissed_for(clinics)
    results = [
        _result(clinics[row_id], distance, today, now, dismissed[row_id])
        for row_id, distance in page
        if row_id in clinics  # unpublished since the ranking query ran (PostgreSQL)
    ]
    nearest = nearest_clinics(place, query, today=today, now=now) if not ranked else []
    return SearchResults(
        query=query,
        place=place,
        total=len(ranked),
        results=results,
        telehealth=_telehealth(place, query, today=today, now=now),
        nearest=nearest,
    )


def _telehealth(place: Place, query: SearchQuery, *, today: date, now: datetime):
    """The telehealth section, passing the same filters as the clinics near the patient;
    none when the patient chose only other settings."""
    if query.settings and "telehealth" not in query.settings:
        return []
    narrow = (lambda st: _filtered(st, query, today, nearby=False)) if query.has_filters else None
    return care.telehealth_providers(
        place.state, today=today, now=now, narrow=narrow, open_now=query.open_now
    )


def nearest_clinics(
    place: Place,
    query: SearchQuery,
    *,
    today: date,
    now: datetime | None = None,
    count: int = NEAREST_COUNT,
) -> list[Result]:
    """The `count` closest published clinics passing the filters, at any distance.

    For a search that found nothing in its radius, so that it never ends empty-handed
    (a rural ZIP may have no clinic within 250 miles). Reads every matching clinic's
    position once: a few milliseconds for thousands of clinics. Telehealth-only
    providers stay out (the care filters drop them): they have their own section.
    """
    now = now or datetime.now(UTC)
    columns = [Clinic.id, Clinic.lat, Clinic.lng, *care.hours_columns(query)]
    statement = _filtered(select(*columns), query, today)
    candidates = db.session.connection().execute(statement).all()
    if query.open_now:
        candidates = [row for row in candidates if care.open_at(row, now)]
    distances = miles_from(place, [(row.lat, row.lng) for row in candidates])
    closest = sorted(zip(distances, (row.id for row in candidates), strict=True))[:count]
    clinics = load_clinics(row_id for _distance, row_id in closest)
    dismissed = dismissed_for(clinics)
    return [_result(clinics[row_id], distance, today, now, dismissed[row_id])
            for distance, row_id in closest if row_id in clinics]  # fmt: skip


def _result(
    clinic: ClinicRow,
    distance: float,
    today: date,
    now: datetime,
    dismissed: frozenset[tuple[str, str]],
) -> Result:
    """One result, its flags less those a moderator dismissed for exactly this text."""
    return Result(
        clinic=clinic,
        distance_miles=distance,
        verified=clinic.verification_state(today) == "current",
        assessment=assess(clinic.profile, dismissed),
        open_now=care.open_at(clinic, now),
    )


def rank(
    place: Place, query: SearchQuery, *, today: date, now: datetime | None = None
) -> list[tuple[int, float]]:
    """(clinic id, miles) of every match, in the asked order; no clinic object is loaded."""
    candidates = db.session.connection().execute(_candidates(place, query, today)).all()
    if query.open_now:
        moment = now or datetime.now(UTC)
        candidates = [row for row in candidates if care.open_at(row, moment)]
    distances = miles_from(place, [(row.lat, row.lng) for row in candidates])
    sort_key = _SORT_KEYS[query.sort]
    within = [
        (sort_key(row, distance), row.id, distance)
        for row, distance in zip(candidates, distances, strict=True)
        if distance <= query.radius_miles
    ]
    within.sort()
    return [(row_id, distance) for _key, row_id, distance in within]


def miles_from(place: Place, points: list[tuple[float, float]]) -> list[float]:
    """geo.miles_between from one place to many points, in one tight loop.

    The same haversine formula with the origin's terms computed once: about
    twice as fast on the thousands of candidates a dense city gives.
    """
    radians, sin, cos, asin, sqrt = math.radians, math.sin, math.cos, math.asin, math.sqrt
    lat0, lng0 = radians(place.lat), radians(place.lng)
    cos_lat0 = cos(lat0)
    diameter = 2 * EARTH_RADIUS_MILES
    distances = []
    for lat, lng in points:
        phi = radians(lat)
        a = sin((phi - lat0) / 2) ** 2 + cos_lat0 * cos(phi) * sin((radians(lng) - lng0) / 2) ** 2
        distances.append(diameter * asin(sqrt(min(1.0, a))))
    return distances


def _candidates(place: Place, query: SearchQuery, today: date):
    """The SQL: published, inside the bounding box, passing every filter.

    Selects only what ordering needs, so SQLite can answer the distance sort
    from the (status, lat, lng) index alone.
    """
    min_lat, max_lat, min_lng, max_lng = bounding_box(place.lat, place.lng, query.radius_miles)
    columns = [Clinic.id, Clinic.lat, Clinic.lng]
    if query.sort == "experience":
        columns.append(Clinic.treatments_administered)
    elif query.sort == "price":
        columns.append(Clinic.price_min)
    columns += care.hours_columns(query)
    statement = select(*columns).where(
        Clinic.lat.between(min_lat, max_lat), Clinic.lng.between(min_lng, max_lng)
    )
    return _filtered(statement, query, today)


def _filtered(statement, query: SearchQuery, today: date, *, nearby: bool = True):
    """`statement` narrowed to published clinics passing every filter of `query`
    (`nearby=False`: for the telehealth section, see care.with_care_filters)."""
    statement = statement.where(Clinic.status == "published")
    for code in query.routes:
        statement = statement.where(
            exists().where(ClinicRoute.clinic_id == Clinic.id, ClinicRoute.code == code)
        )
    for code in query.conditions:
        statement = statement.where(
            exists().where(ClinicCondition.clinic_id == Clinic.id, ClinicCondition.code == code)
        )
    for code in query.payment:
        statement = statement.where(
            exists().where(
                ClinicPaymentOption.clinic_id == Clinic.id, ClinicPaymentOption.code == code
            )
        )
    if query.therapy:
        statement = statement.where(Clinic.therapy.in_(query.therapy))
    if query.verified:
        statement = statement.where(Clinic.verification_expires > today)
    if query.accepting:
        statement = statement.where(Clinic.accepting_new_patients.is_(True))
    if query.max_price is not None:
        statement = statement.where(Clinic.price_min <= query.max_price)
    return care.with_care_filters(statement, query, nearby=nearby)


def _by_distance(row, distance: float) -> tuple:
    return (distance,)


def _by_experience(row, distance: float) -> tuple:
    """Most treatments first; clinics that do not say come last."""
    count = row.treatments_administered
    return (count is None, -(count or 0), distance)


def _by_price(row, distance: float) -> tuple:
    """Lowest starting price first; clinics that do not say come last."""
    price = row.price_min
    return (price is None, price or 0, distance)


_SORT_KEYS = {"distance": _by_distance, "experience": _by_experience, "price": _by_price}
assert set(_SORT_KEYS) == set(vocab.SORTS)
