"""Search engines: each listing page carries schema.org JSON-LD built from the listing."""

from __future__ import annotations

import json
import re

from portal import vocab
from portal.structured_data import THERAPY_NAMES, json_for_script, medical_clinic
from tests.factories import clean_profile, make_clinic
from tests.helpers import structured_data

JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def test_every_sample_listing_describes_its_clinic(client, sample_clinics):
    for clinic in sample_clinics:
        data, _raw = structured_data(client, clinic.slug)
        assert data["@context"] == "https://schema.org"
        assert data["@type"] == "MedicalClinic"
        assert data["name"] == clinic.name
        assert data["url"] == f"http://localhost/clinics/{clinic.slug}"
        assert data["geo"] == {
            "@type": "GeoCoordinates",
            "latitude": clinic.lat,
            "longitude": clinic.lng,
        }
        assert data["address"]["@type"] == "PostalAddress"
        assert (data["address"]["streetAddress"], data["address"]["postalCode"]) == (
            clinic.address,
            clinic.zip,
        )
        assert data["address"]["addressRegion"] == clinic.state
        assert data["telephone"] == clinic.phone
        assert data["isAcceptingNewPatients"] is clinic.accepting_new_patients
        assert [s["name"] for s in data["availableService"]] == [
            THERAPY_NAMES[code] for code in clinic.routes
        ]
        assert all(s["@type"] == "MedicalTherapy" for s in data["availableService"])
        assert str(clinic.price_min) in data["priceRange"].replace(",", "")
        assert all(
            value.startswith("https://schema.org/") for value in data.get("medicalSpecialty", [])
        )


def test_medical_specialty_follows_the_director_and_conditions():
    psychiatry = medical_clinic(
        clean_profile(director_discipline="psychiatry", conditions=("depression",)),
        url="https://example.org/clinics/a",
        latitude=None,
        longitude=None,
    )
    assert psychiatry["medicalSpecialty"] == ["https://schema.org/Psychiatric"]
    assert "geo" not in psychiatry

    pain = medical_clinic(
        clean_profile(director_discipline="anesthesiology", conditions=("chronic_pain",)),
        url="https://example.org/clinics/b",
        latitude=1.0,
        longitude=2.0,
    )
    assert pain["medicalSpecialty"] == ["https://schema.org/Anesthesia"]

    other = medical_clinic(
        clean_profile(director_discipline="other", conditions=("migraine",), routes=()),
        url="https://example.org/clinics/c",
        latitude=1.0,
        longitude=2.0,
    )
    assert "medicalSpecialty" not in other
    assert "availableService" not in other
    assert set(THERAPY_NAMES) == set(vocab.ROUTES)


def test_a_clinic_name_cannot_break_out_of_the_json_ld_block(client):
    evil = "</script><script>alert(1)</script> & <!-- Clinic"
    clinic = make_clinic(
        clean_profile(name=evil, description="Ends here </SCRIPT > or <script"),
    )
    data, raw = structured_data(client, clinic.slug)
    assert data["name"] == evil
    assert data["description"] == "Ends here </SCRIPT > or <script"
    assert "<" not in raw and ">" not in raw and "&" not in raw
    html = client.get(f"/clinics/{clinic.slug}").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "<script>" not in html.lower()  # every script tag the page has carries attributes


def test_json_for_script_escapes_and_round_trips():
    data = {"name": "A <b> & C\u2028D", "n": 1}
    text = json_for_script(data)
    for character in "<>&\u2028":
        assert character not in text
    assert "\\u003c" in text and "\\u003e" in text and "\\u0026" in text
    assert json.loads(text) == data
