"""Published listings as Open Referral HSDS 3 records: organization, service, location.

Pure functions: a `Listing` (what the public page shows) and a `Context` (base
URL, the time now, settings) in, plain dicts ready for JSON out. One clinic is
one organization offering one service ("Ketamine treatment") at one location.

Every structured answer lands somewhere: the core HSDS fields where HSDS has a
field for it, otherwise an attribute carrying a term of our own taxonomy
("ketamine-clinic-portal"), with the answer as the attribute's `value` when it
is a number, yes/no or text. docs/hsds-mapping.md is the same table for people;
`FIELD_MAPPING` is the table in code, and the tests hold both to `Profile`.

Ids are uuid5 of a fixed namespace and the clinic's database id, so the same
clinic gets the same ids in every export and API answer.
"""

from __future__ import annotations

from typing import Any

from portal import freshness, vocab
from portal.opendata import care
from portal.opendata.listing import Context as Context
from portal.opendata.listing import Listing as Listing
from portal.opendata.listing import carried_term_codes as carried_term_codes
from portal.opendata.listing import term_codes as term_codes
from portal.opendata.listing import term_value as term_value
from portal.opendata.taxonomy import BOOLEAN_FIELDS as BOOLEAN_FIELDS
from portal.opendata.taxonomy import CATEGORY_FIELDS as CATEGORY_FIELDS
from portal.opendata.taxonomy import CHECKED_FIELDS as CHECKED_FIELDS
from portal.opendata.taxonomy import CODED_FIELDS as CODED_FIELDS
from portal.opendata.taxonomy import COST_FIELDS as COST_FIELDS
from portal.opendata.taxonomy import COUNTRY as COUNTRY
from portal.opendata.taxonomy import CURRENCY as CURRENCY
from portal.opendata.taxonomy import FIELD_MAPPING as FIELD_MAPPING
from portal.opendata.taxonomy import HSDS_VERSION as HSDS_VERSION
from portal.opendata.taxonomy import NAMESPACE as NAMESPACE
from portal.opendata.taxonomy import NUMBER_FIELDS as NUMBER_FIELDS
from portal.opendata.taxonomy import TAXONOMY_ID as TAXONOMY_ID
from portal.opendata.taxonomy import TAXONOMY_NAME as TAXONOMY_NAME
from portal.opendata.taxonomy import TERMS as TERMS
from portal.opendata.taxonomy import TERMS_BY_ID as TERMS_BY_ID
from portal.opendata.taxonomy import TEXT_FIELDS as TEXT_FIELDS
from portal.opendata.taxonomy import Term as Term
from portal.opendata.taxonomy import record_id as record_id
from portal.opendata.taxonomy import taxonomy as taxonomy
from portal.opendata.taxonomy import taxonomy_term as taxonomy_term
from portal.opendata.taxonomy import term_id as term_id
from portal.profile import Profile
from portal.templating import price_range, web_link

# --- pieces ------------------------------------------------------------------------------


def _put(record: dict[str, Any], **values: Any) -> dict[str, Any]:
    """Add the optional values that are stated (HSDS wants absent, not null or "")."""
    record.update({key: value for key, value in values.items() if value not in (None, "")})
    return record


def _email(value: str) -> str | None:
    return value if "@" in value else None


def _phones(listing: Listing) -> list[dict[str, Any]]:
    if not listing.profile.phone:
        return []
    return [
        {
            "id": listing.id("phone"),
            "organization_id": listing.id("organization"),
            "service_id": listing.id("service"),
            "location_id": listing.id("location"),
            "number": listing.profile.phone,
            "type": "voice",
            "description": "Main number",
        }
    ]


def _identifiers(listing: Listing) -> list[dict[str, Any]]:
    p = listing.profile
    identifiers = []
    if p.npi:
        identifiers.append(
            {
                "id": listing.id("identifier/npi"),
                "organization_id": listing.id("organization"),
                "identifier_type": "US National Provider Identifier (NPI)",
                "identifier": p.npi,
            }
        )
    if p.licence_number or p.licence_state:  # a state without a number is still a fact
        state = vocab.US_STATES.get(p.licence_state, p.licence_state) or "state not stated"
        identifiers.append(
            {
                "id": listing.id("identifier/licence"),
                "organization_id": listing.id("organization"),
                "identifier_type": f"US state medical or nursing licence ({state})",
                "identifier": p.licence_number or "number not stated",
            }
        )
    return identifiers


def _organization_core(listing: Listing, ctx: Context) -> dict[str, Any]:
    p = listing.profile
    return _put(
        {
            "id": listing.id("organization"),
            "name": p.name,
            "description": p.description or f"A ketamine clinic in {p.city}, {p.state}.",
        },
        email=_email(p.email),
        website=web_link(p.website),
        uri=ctx.listing_url(listing.slug),
    )


def _address(listing: Listing) -> dict[str, Any]:
    p = listing.profile
    return {
        "id": listing.id("address"),
        "location_id": listing.id("location"),
        "address_1": p.address,
        "city": p.city,
        "state_province": p.state,
        "postal_code": p.zip,
        "country": COUNTRY,
        "address_type": "physical",
    }


def _location_core(listing: Listing) -> dict[str, Any]:
    if care.is_virtual(listing.profile):  # telehealth only: nowhere to visit
        return _put(
            {
                "id": listing.id("location"),
                "location_type": "virtual",
                "organization_id": listing.id("organization"),
                "name": f"{listing.profile.name} (telehealth)",
            },
            url=web_link(listing.profile.booking_url or listing.profile.website),
        )
    return _put(
        {
            "id": listing.id("location"),
            "location_type": "physical",
            "organization_id": listing.id("organization"),
            "name": listing.profile.name,
        },
        latitude=listing.latitude,
        longitude=listing.longitude,
    )


def _location(listing: Listing, ctx: Context) -> dict[str, Any]:
    address = _address(listing)
    if care.is_virtual(listing.profile):
        address["address_type"] = "postal"
    return {
        **_location_core(listing),
        "addresses": [address],
        "phones": _phones(listing),
        **care.location_details(listing, ctx.now),
    }


def _labels(codes, vocabulary: dict[str, str]) -> str:
    return ", ".join(vocab.label(vocabulary, code) for code in codes)


def _service_description(p: Profile) -> str:
    parts = ["Ketamine treatment."]
    if p.routes:
        parts.append(f"Given as: {_labels(p.routes, vocab.ROUTES)}.")
    if p.therapy:
        parts.append(f"Therapy: {vocab.label(vocab.THERAPY, p.therapy)}.")
    if p.induction_sessions:
        weeks = f" over {p.induction_weeks} weeks" if p.induction_weeks else ""
        parts.append(f"First series: {p.induction_sessions} sessions{weeks}.")
    return " ".join(parts)


def _fees_description(p: Profile) -> str:
    parts = []
    if p.price_min is not None or p.price_max is not None:
        parts.append(f"Price per session: {price_range(p.price_min, p.price_max)}.")
    if p.consultation_fee is not None:
        parts.append(f"Consultation fee: ${p.consultation_fee:,}.")
    if p.payment_options:
        parts.append(f"Payment help: {_labels(p.payment_options, vocab.PAYMENT_OPTIONS)}.")
    if p.cost_notes:
        parts.append(f"The clinic says: {p.cost_notes}")
    return " ".join(parts)


def _application_process(p: Profile) -> str:
    if p.accepting_new_patients is False:
        return "The clinic is not accepting new patients at the moment."
    call = f" on {p.phone}" if p.phone else ""
    if p.accepting_new_patients is None:
        return f"Call the clinic{call} to ask whether it accepts new patients."
    return f"Accepting new patients. Call the clinic{call} to arrange a first consultation."


def _is_stale(listing: Listing, ctx: Context) -> bool:
    """The listing page's rule (portal.freshness): unconfirmed for over N days."""
    return freshness.is_stale(listing.last_confirmed_at, ctx.now, ctx.stale_after_days)


def _alert(listing: Listing, ctx: Context) -> str:
    """What a patient should know before relying on the record, as on the listing page."""
    notes = []
    expires = listing.verification_expires
    if listing.verified_at is None or expires is None:
        notes.append("Not yet verified by our moderators.")
    elif expires <= ctx.now.date():
        notes.append(f"Verification expired on {expires.isoformat()}.")
    if _is_stale(listing, ctx):
        notes.append(
            f"Possibly out of date: not confirmed in the last {ctx.stale_after_days} days."
        )
    flags = listing.red_flags
    if flags:
        notes.append("Red flags: " + "; ".join(f"{f.title} ({f.reason})" for f in flags))
    return " ".join(notes)


def _attribute(listing: Listing, code: str, link: str, value: Any = None) -> dict[str, Any]:
    term = TERMS[code]
    record = {
        "id": listing.id(f"attribute/{link}/{code}"),
        "link_id": listing.id(link),
        "link_entity": link.split("/")[0],
        "taxonomy_term_id": term.id,
        "taxonomy_term": taxonomy_term(term),
    }
    if value is not None:
        record["value"] = value
    return record


def _service_attributes(listing: Listing) -> list[dict[str, Any]]:
    return [
        _attribute(listing, code, "service", term_value(listing, code))
        for code in term_codes(listing)
    ]


def _cost_options(listing: Listing) -> list[dict[str, Any]]:
    p = listing.profile
    options = (
        ("price_min", "Lowest price per session", "One ketamine session, lowest price."),
        ("price_max", "Highest price per session", "One ketamine session, highest price."),
        ("consultation_fee", "Consultation fee", "The first consultation before treatment."),
    )
    records = []
    for name, option, description in options:
        amount = getattr(p, name)
        if amount is None:
            continue
        link = f"cost_option/{name}"
        records.append(
            {
                "id": listing.id(link),
                "service_id": listing.id("service"),
                "option": option,
                "currency": CURRENCY,
                "amount": amount,
                "amount_description": description,
                "attributes": [_attribute(listing, name, link, str(amount))],
            }
        )
    return records


def _service_core(listing: Listing, ctx: Context) -> dict[str, Any]:
    p = listing.profile
    return _put(
        {
            "id": listing.id("service"),
            "organization_id": listing.id("organization"),
            "name": f"Ketamine treatment at {p.name}",
            "status": "active",
        },
        description=_service_description(p),
        url=web_link(p.website),
        email=_email(p.email),
        application_process=_application_process(p),
        fees_description=_fees_description(p),
        eligibility_description=(
            f"People with: {_labels(p.conditions, vocab.CONDITIONS)}." if p.conditions else ""
        ),
        assured_date=listing.verified_at.isoformat() if listing.verified_at else None,
        assurer_email=ctx.assurer_email if listing.verified_at else None,
        alert=_alert(listing, ctx),
        last_modified=(
            listing.updated_at.isoformat(timespec="milliseconds") + "Z"
            if listing.updated_at
            else None
        ),
    )


def _service_details(listing: Listing, ctx: Context) -> dict[str, Any]:
    """The service's one-to-many parts, without the organization or locations."""
    return {
        "phones": _phones(listing),
        "cost_options": _cost_options(listing),
        "attributes": _service_attributes(listing),
        **care.service_details(listing, ctx.now),
    }


def _organization_with_identifiers(listing: Listing, ctx: Context) -> dict[str, Any]:
    return {
        **_organization_core(listing, ctx),
        "phones": _phones(listing),
        "organization_identifiers": _identifiers(listing),
    }


def _link(listing: Listing) -> dict[str, Any]:
    return {
        "id": listing.id("service_at_location"),
        "service_id": listing.id("service"),
        "location_id": listing.id("location"),
        "description": f"{listing.profile.name}, {listing.profile.city}, {listing.profile.state}",
    }


# --- records -----------------------------------------------------------------------------


def organization(listing: Listing, ctx: Context) -> dict[str, Any]:
    """The fully nested organization (HSDS organization.json)."""
    return {
        **_organization_with_identifiers(listing, ctx),
        "locations": [_location(listing, ctx)],
        "services": [{**_service_core(listing, ctx), **_service_details(listing, ctx)}],
    }


def organization_summary(listing: Listing, ctx: Context) -> dict[str, Any]:
    """One item of the organizations list (HSDS organization_list.json)."""
    return _organization_core(listing, ctx)


def service(listing: Listing, ctx: Context) -> dict[str, Any]:
    """The fully nested service (HSDS service.json)."""
    return {
        **_service_core(listing, ctx),
        **_service_details(listing, ctx),
        "organization": _organization_with_identifiers(listing, ctx),
        "service_at_locations": [{**_link(listing), "location": _location(listing, ctx)}],
    }


def service_summary(listing: Listing, ctx: Context) -> dict[str, Any]:
    """One item of the services list (HSDS service_list.json)."""
    return {**_service_core(listing, ctx), "organization": _organization_core(listing, ctx)}


def service_at_location(listing: Listing, ctx: Context) -> dict[str, Any]:
    """The fully nested service at location (HSDS service_at_location.json)."""
    return {
        **_link(listing),
        "phones": _phones(listing),
        "location": _location(listing, ctx),
        "service": {
            **_service_core(listing, ctx),
            **_service_details(listing, ctx),
            "organization": _organization_with_identifiers(listing, ctx),
        },
    }


def service_at_location_summary(listing: Listing, ctx: Context) -> dict[str, Any]:
    """One item of the service_at_locations list (HSDS service_at_location_list.json)."""
    return {
        **_link(listing),
        "location": _location_core(listing),
        "service": {
            **_service_core(listing, ctx),
            "organization": _organization_core(listing, ctx),
        },
    }


# kind (URL segment) -> (record id kind, full record, list item)
COLLECTIONS = {
    "organizations": ("organization", organization, organization_summary),
    "services": ("service", service, service_summary),
    "service_at_locations": (
        "service_at_location",
        service_at_location,
        service_at_location_summary,
    ),
}
