"""Comparing clinics side by side: /compare?ids=..., its rows, cells and edge cases."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from markupsafe import escape

from portal import vocab
from portal.compare import service
from portal.extensions import db
from portal.models import utcnow
from portal.vetting import FLAG_CODES, KINDS, red_flags
from tests.factories import clean_profile, make_clinic


def compare_page(client, ids: str, status: int = 200, **params) -> str:
    response = client.get("/compare", query_string={"ids": ids, **params})
    assert response.status_code == status, response.get_data(as_text=True)[:400]
    return response.get_data(as_text=True)


def column_ids(html: str) -> list[int]:
    return [
        int(found)
        for found in re.findall(r'<th scope="col" class="clinic-head" data-clinic-id="(\d+)"', html)
    ]


def row_html(html: str, key: str) -> str:
    match = re.search(rf'<tr class="[a-z]+" data-row="{key}">(.*?)</tr>', html, re.S)
    assert match, f"no row {key}"
    return match.group(1)


def row_class(html: str, key: str) -> str:
    match = re.search(rf'<tr class="([a-z]+)" data-row="{key}">', html)
    assert match, f"no row {key}"
    return match.group(1)


CELL_CLINIC = re.compile(r'<span class="cell-clinic">[^<]*</span>')


def cells(html: str, key: str) -> list[str]:
    """The row's answers, without the clinic name each cell carries for phones."""
    found = re.findall(r"<td[^>]*>(.*?)</td>", row_html(html, key), re.S)
    return [CELL_CLINIC.sub("", cell).strip() for cell in found]


def notices(html: str) -> list[str]:
    return re.findall(r'<li data-notice="([a-z_]+)">', html)


def clinics(count: int, **overrides):
    return [make_clinic(clean_profile(name=f"Clinic {n}", **overrides)) for n in range(count)]


@pytest.mark.parametrize("count", [2, 3, 4])
def test_compares_exactly_the_clinics_asked_for_in_order(client, count):
    made = clinics(4)
    chosen = list(reversed(made))[:count]
    html = compare_page(client, ",".join(str(c.id) for c in chosen))
    assert column_ids(html) == [c.id for c in chosen]
    for clinic in made:
        assert (f">{clinic.name}</a>" in html) == (clinic in chosen)
    assert notices(html) == []
    assert f"{count} clinics side by side" in html


# The rows issue 4 asks for, group by group, in the order it asks for them. Each group's
# rows must be exactly these in this order once the extra rows below are set aside.
REQUIRED_ROWS: dict[str, tuple[str, ...]] = {
    "experience": (
        "treatments_administered",
        "years_offering",
        "director_discipline",
        "physician_on_site",
    ),
    "safety": (
        *vocab.SCREENING_ITEMS,
        "session_monitor",
        *vocab.VITAL_SIGNS,
        "recovery_minutes",
        "transport_required",
        "emergency_trained",
    ),
    "therapy": ("therapy",),
    "routes": tuple(f"route_{code}" for code in vocab.ROUTES),
    "conditions": tuple(f"condition_{code}" for code in vocab.CONDITIONS),
    "plan": ("first_series", "maintenance_offered"),
    "cost": ("price", "payment_options"),
    "care": (
        "settings",
        "telehealth_states",
        "telehealth_evaluation",
        "remote_companion",
        "remote_monitoring",
        "first_dose_supervised",
        "hours",
        "languages",
        "insurers",
        "age_groups",
        "accessibility",
    ),
    "verification": ("verification_status", "verified_at", "verification_expires"),
    "red_flags": ("flag_count",),  # then one row per raised flag, in FLAG_CODES order
}
# Rows the issue does not name that may sit anywhere inside their own group.
EXTRA_ROWS: dict[str, frozenset[str]] = {
    "safety": frozenset(
        {"pharmaceutical_grade", "fasting_hours", "in_person_evaluation", "offers_home_iv"}
    ),
    "cost": frozenset({"consultation_fee"}),
    "verification": frozenset(
        {"verification_coverage", "last_confirmed", "freshness", "accepting_new_patients"}
    ),
}


def rendered_rows(html: str) -> list[tuple[str, list[str]]]:
    """Each row group of the table, in page order, with its row keys in page order."""
    groups = [
        (group, re.findall(r'<tr class="[a-z]+" data-row="([a-z_]+)">', body))
        for group, body in re.findall(
            r'<tbody class="compare-group" data-group="([a-z_]+)">(.*?)</tbody>', html, re.S
        )
    ]
    every_row = re.findall(r'data-row="([a-z_]+)"', html)
    assert every_row == [key for _group, keys in groups for key in keys], "a row outside a group"
    return groups


def row_order_problems(groups: list[tuple[str, list[str]]], raised: tuple[str, ...]) -> list[str]:
    """What is out of place in these groups against issue 4's order (empty when all is well)."""
    problems = []
    expected_groups = list(REQUIRED_ROWS)
    if [group for group, _keys in groups] != expected_groups:
        problems.append(f"groups {[group for group, _keys in groups]} != {expected_groups}")
    for group, keys in groups:
        required = list(REQUIRED_ROWS.get(group, ()))
        if group == "red_flags":
            required += [f"flag_{code}" for code in FLAG_CODES if code in raised]
        extras = EXTRA_ROWS.get(group, frozenset())
        if [key for key in keys if key not in extras] != required:
            problems.append(f"{group}: rows {keys} are not {required} (extras {sorted(extras)})")
        if len(set(keys)) != len(keys):
            problems.append(f"{group}: a row appears twice in {keys}")
    return problems


def test_groups_and_rows_come_in_the_order_patients_read_them(client):
    risky_profile = clean_profile(
        name="Raises flags", recovery_minutes=None, transport_required=False, therapy="none"
    )
    raised = tuple(flag.code for flag in red_flags(risky_profile))
    assert raised == (
        "no_recovery_period",
        "no_transport_requirement",
        "no_therapy",
        "short_esketamine_observation",
    )
    first = make_clinic(clean_profile(name="Raises none"))
    risky = make_clinic(risky_profile)
    html = compare_page(client, f"{first.id},{risky.id}")

    groups = rendered_rows(html)
    assert row_order_problems(groups, raised) == []
    # The full list as rendered today: the required rows with the extras in place.
    assert [key for _group, keys in groups for key in keys] == [
        "treatments_administered",
        "years_offering",
        "director_discipline",
        "physician_on_site",
        "screens_medical_history",
        "screens_psychiatric_evaluation",
        "screens_prior_treatments",
        "screens_contraindications",
        "session_monitor",
        "monitors_blood_pressure",
        "monitors_heart_rate",
        "monitors_oxygen",
        "monitors_ecg",
        "recovery_minutes",
        "transport_required",
        "emergency_trained",
        "pharmaceutical_grade",
        "fasting_hours",
        "in_person_evaluation",
        "offers_home_iv",
        "therapy",
        *(f"route_{code}" for code in vocab.ROUTES),
        *(f"condition_{code}" for code in vocab.CONDITIONS),
        "first_series",
        "maintenance_offered",
        "price",
        "consultation_fee",
        "payment_options",
        *REQUIRED_ROWS["care"],
        "verification_status",
        "verified_at",
        "verification_expires",
        "verification_coverage",
        "last_confirmed",
        "freshness",
        "accepting_new_patients",
        "flag_count",
        "flag_no_recovery_period",
        "flag_no_transport_requirement",
        "flag_no_therapy",
        "flag_short_esketamine_observation",
    ]
    # Red flags come with their reasons, in the raising clinic's column.
    for flag in red_flags(risky_profile):
        not_raised, reason = cells(html, f"flag_{flag.code}")
        assert "Not raised" in not_raised
        assert str(escape(flag.reason)) in reason


def test_the_row_order_check_catches_rows_out_of_place(client):
    first, second = clinics(2)
    groups = rendered_rows(compare_page(client, f"{first.id},{second.id}"))
    assert row_order_problems(groups, ()) == []

    def changed(group_key: str, change) -> list[tuple[str, list[str]]]:
        return [
            (group, change(list(keys)) if group == group_key else keys) for group, keys in groups
        ]

    def swap(first_key: str, second_key: str):
        def change(keys: list[str]) -> list[str]:
            i, j = keys.index(first_key), keys.index(second_key)
            keys[i], keys[j] = keys[j], keys[i]
            return keys

        return change

    assert row_order_problems(changed("safety", swap("recovery_minutes", "transport_required")), ())
    assert row_order_problems(changed("safety", swap("monitors_ecg", "session_monitor")), ())
    assert row_order_problems(
        changed("experience", swap("years_offering", "physician_on_site")), ()
    )
    assert row_order_problems(
        changed("verification", swap("verified_at", "verification_expires")), ()
    )
    assert row_order_problems(changed("safety", lambda keys: keys[1:]), ())  # a row missing
    assert row_order_problems(changed("plan", lambda keys: [*keys, "price"]), ())  # wrong group
    assert row_order_problems(list(reversed(groups)), ())
    # An extra row may move within its group.
    moved = changed(
        "safety", lambda keys: ["fasting_hours", *(k for k in keys if k != "fasting_hours")]
    )
    assert row_order_problems(moved, ()) == []


def test_missing_answers_say_not_stated_never_blank(client):
    answered = make_clinic(clean_profile(name="Answers all"))
    silent = make_clinic(
        clean_profile(
            name="Says little",
            years_offering=None,
            consultation_fee=None,
            fasting_hours=None,
            induction_sessions=None,
            payment_options=(),
            treatments_administered=None,
        )
    )
    html = compare_page(client, f"{answered.id},{silent.id}")
    for key in (
        "years_offering",
        "consultation_fee",
        "fasting_hours",
        "first_series",
        "payment_options",
        "treatments_administered",
    ):
        first, second = cells(html, key)
        assert "Not stated" not in first, key
        assert "Not stated" in second, key
        assert row_class(html, key) == "differs"
    for cell in re.findall(r'<td class="cell[^"]*">(.*?)</td>', CELL_CLINIC.sub("", html), re.S):
        assert cell.strip(), "a cell is blank"


def test_rows_where_clinics_differ_are_marked(client):
    first = make_clinic(clean_profile(name="Six years", years_offering=6))
    second = make_clinic(clean_profile(name="Two years", years_offering=2))
    html = compare_page(client, f"{first.id},{second.id}")
    assert row_class(html, "years_offering") == "differs"
    assert "Differs" in row_html(html, "years_offering")
    assert row_class(html, "treatments_administered") == "same"
    assert "Differs" not in row_html(html, "treatments_administered")
    assert cells(html, "years_offering") == ["6 years", "2 years"]


def test_only_differences_view_keeps_the_url_and_hides_equal_rows(client):
    first = make_clinic(clean_profile(name="Six years", years_offering=6))
    second = make_clinic(clean_profile(name="Two years", years_offering=2))
    html = compare_page(client, f"{first.id},{second.id}", show="differences")
    assert 'data-row="years_offering"' in html
    assert 'data-row="treatments_administered"' not in html
    assert column_ids(html) == [first.id, second.id]


def test_equal_clinics_in_differences_view_say_so(client):
    first, second = clinics(2)
    html = compare_page(client, f"{first.id},{second.id}", show="differences")
    assert column_ids(html) == [first.id, second.id]
    assert "data-row=" not in html
    assert "These clinics answer every question the same way" in html


def test_an_unknown_view_is_refused_clearly(client):
    first, second = clinics(2)
    response = client.get(f"/compare?ids={first.id},{second.id}&show=everything")
    assert response.status_code == 400
    assert "That view of the comparison does not exist" in response.get_data(as_text=True)


def test_a_red_flag_is_marked_in_the_cell_it_rests_on(client):
    safe = make_clinic(clean_profile(name="Drives you home"))
    risky = make_clinic(
        clean_profile(name="Lets you drive", transport_required=False, therapy="none")
    )
    html = compare_page(client, f"{safe.id},{risky.id}")
    safe_cell, risky_cell = re.findall(
        r'<td class="([^"]*)">', row_html(html, "transport_required")
    )
    assert "has-flag" not in safe_cell
    assert "has-flag" in risky_cell
    assert (
        f"Red flag: {KINDS['no_transport_requirement'].title}"
        in cells(html, "transport_required")[1]
    )
    assert "Red flag: No therapy alongside ketamine" in cells(html, "therapy")[1]
    assert "Red flag" not in cells(html, "therapy")[0]
    # The red-flag group gives each raised flag its reason, per clinic.
    assert cells(html, "flag_count") == ["None", "2 raised"]
    not_raised, raised = cells(html, "flag_no_therapy")
    assert "Not raised" in not_raised
    assert "offers no therapy" in raised


def test_screening_flag_marks_only_the_missing_screening(client):
    first = make_clinic(clean_profile(name="Full screening"))
    second = make_clinic(
        clean_profile(name="No psych evaluation", screens_psychiatric_evaluation=False)
    )
    html = compare_page(client, f"{first.id},{second.id}")
    assert "Red flag" not in cells(html, "screens_medical_history")[1]
    assert "Red flag: No screening" in cells(html, "screens_psychiatric_evaluation")[1]


def test_esketamine_with_short_observation_flags_the_recovery_time(client):
    first = make_clinic(clean_profile(name="Two hours"))
    second = make_clinic(clean_profile(name="One hour", recovery_minutes=60))
    html = compare_page(client, f"{first.id},{second.id}")
    assert cells(html, "recovery_minutes")[0].strip() == "120 minutes"
    assert "Red flag: Esketamine with less than 2 hours" in cells(html, "recovery_minutes")[1]


def test_verification_group_shows_dates_freshness_and_new_patients(client):
    fresh = make_clinic(clean_profile(name="Fresh"))
    old = make_clinic(clean_profile(name="Old", accepting_new_patients=False))
    fresh.last_confirmed_at = utcnow() - timedelta(days=3)
    old.last_confirmed_at = utcnow() - timedelta(days=400)
    db.session.commit()
    html = compare_page(client, f"{fresh.id},{old.id}")
    assert cells(html, "verification_status") == ["Verified", "Verified"]
    fresh_date = (utcnow() - timedelta(days=3)).date()
    assert (
        f"{fresh_date:%B} {fresh_date.day}, {fresh_date.year}" in cells(html, "last_confirmed")[0]
    )
    assert cells(html, "freshness") == ["Confirmed recently", "Possibly out of date"]
    assert cells(html, "accepting_new_patients") == ["Yes", "No"]
    header = html[html.index("<thead>") : html.index("</thead>")]
    assert header.count("Possibly out of date") == 1


def test_verification_group_says_what_each_check_covered(client, sample_clinics):
    """The same checklist the listing shows, per clinic; a clinic checked for less says so."""
    checked = sample_clinics[0]
    bare = make_clinic(clean_profile(name="Checked For Little"))  # an empty checklist
    html = compare_page(client, f"{checked.id},{bare.id}")
    first, second = cells(html, "verification_coverage")
    assert "The provider number (NPI) passed its check-digit test" in first
    assert "The address and map position were checked" in first
    assert "not checked" not in first
    assert "The provider number (NPI) was not checked" in second
    assert "The medical licence was not checked" in second
    listing = client.get(f"/clinics/{checked.slug}").get_data(as_text=True)
    lines = re.findall(r"<li>(.*?)</li>", first)
    assert len(lines) == 5
    for line in lines:
        assert line in listing


def test_one_clinic_is_shown_with_a_word_that_comparing_needs_two(client):
    (clinic,) = clinics(1)
    html = compare_page(client, str(clinic.id))
    assert column_ids(html) == [clinic.id]
    assert notices(html) == ["single"]
    assert "Comparing needs at least two clinics" in html


def test_more_than_four_shows_the_first_four_and_says_so(client):
    made = clinics(6)
    html = compare_page(client, ",".join(str(c.id) for c in made))
    assert column_ids(html) == [c.id for c in made[:4]]
    assert "too_many" in notices(html)
    assert "at most 4 clinics" in html
    shared = ",".join(str(c.id) for c in made[:4])
    assert f'href="/compare?ids={shared}"' in html


def test_duplicates_are_shown_once_and_mentioned(client):
    first, second = clinics(2)
    html = compare_page(client, f"{first.id},{second.id},{first.id}")
    assert column_ids(html) == [first.id, second.id]
    assert notices(html) == ["duplicate"]
    assert f"Clinic {first.id} was named more than once" in html


def test_unknown_ids_are_dropped_and_mentioned(client):
    first, second = clinics(2)
    html = compare_page(client, f"{first.id},987654,{second.id}")
    assert column_ids(html) == [first.id, second.id]
    assert notices(html) == ["unknown"]
    assert "no clinic numbered 987654" in html


def test_unpublished_clinics_are_dropped_without_showing_them(client):
    first, second = clinics(2)
    waiting = make_clinic(clean_profile(name="Waiting For Review"), status="pending")
    draft = make_clinic(clean_profile(name="Only A Draft"), status="draft")
    html = compare_page(client, f"{first.id},{waiting.id},{draft.id},{second.id}")
    assert column_ids(html) == [first.id, second.id]
    assert notices(html) == ["unpublished"]
    assert "Waiting For Review" not in html and "Only A Draft" not in html


def test_malformed_ids_are_dropped_and_quoted_back_safely(client):
    first, second = clinics(2)
    html = compare_page(client, f"{first.id},abc,-3,1.5,<b>x</b>,0,99999999999,{second.id}")
    assert column_ids(html) == [first.id, second.id]
    assert notices(html) == ["malformed"]
    assert "“abc”" in html and "“-3”" in html and "“0”" in html
    assert "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_repeated_ids_parameters_work_like_a_list(client):
    first, second = clinics(2)
    response = client.get(f"/compare?ids={first.id}&ids={second.id}")
    assert response.status_code == 200
    assert column_ids(response.get_data(as_text=True)) == [first.id, second.id]


@pytest.mark.parametrize(
    ("ids", "status", "kind"),
    [
        ("abc,%00,1e3", 400, "malformed"),
        ("424242", 404, "unknown"),
        ("424242,zz", 404, "unknown"),
    ],
)
def test_nothing_left_to_compare_answers_with_a_clear_status(client, ids, status, kind):
    response = client.get(f"/compare?ids={ids}")
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert kind in notices(html)
    assert "There is nothing to compare at this address" in html


def test_an_unpublished_only_comparison_is_not_found(client):
    waiting = make_clinic(status="pending")
    response = client.get(f"/compare?ids={waiting.id}")
    assert response.status_code == 404
    assert notices(response.get_data(as_text=True)) == ["unpublished"]


@pytest.mark.parametrize("query", ["", "?ids=", "?ids=,,", "?ids=%20"])
def test_without_ids_the_page_explains_how_to_start(client, query):
    response = client.get(f"/compare{query}")
    assert response.status_code == 200
    assert "Add to comparison" in response.get_data(as_text=True)


def test_a_huge_ids_parameter_is_read_only_so_far(client):
    first, second = clinics(2)
    ids = ",".join([str(first.id), str(second.id)] + ["1"] * 5000)
    html = compare_page(client, ids)
    assert column_ids(html) == [first.id, second.id]
    assert "duplicate" in notices(html) or "too_many" in notices(html)


def test_the_page_is_a_real_table_without_inline_code(client):
    first, second = clinics(2)
    html = compare_page(client, f"{first.id},{second.id}")
    assert "<caption" in html
    assert 'scope="rowgroup"' in html and 'scope="row"' in html
    assert "style=" not in html and "<style" not in html
    assert re.findall(r"<script(?![^>]*\ssrc=)", html) == []
    assert '<link rel="canonical" href="http://localhost/compare?ids=' in html


def test_a_column_can_be_taken_out_and_then_leads_to_the_rest(client):
    first, second, third = clinics(3)
    html = compare_page(client, f"{first.id},{second.id},{third.id}")
    assert f'name="next" value="/compare?ids={first.id},{third.id}"' in html


def test_each_answer_names_its_clinic_for_phones(client):
    first, second = clinics(2)
    html = compare_page(client, f"{first.id},{second.id}")
    labels = re.findall(r'<span class="cell-clinic">([^<]*)</span>', row_html(html, "therapy"))
    assert labels == [first.name, second.name]


def test_sample_clinics_compare_without_error(client, sample_clinics):
    published = sample_clinics[:4]
    html = compare_page(client, ",".join(str(c.id) for c in published))
    assert column_ids(html) == [c.id for c in published]


def test_parse_ids_keeps_order_and_sorts_out_the_rest():
    parsed = service.parse_ids(["3, 1,x", "3,,2", " 0007 "])
    assert parsed.ids == (3, 1, 2, 7)
    assert parsed.malformed == ("x",)
    assert parsed.duplicates == (3,)
    assert service.parse_ids(["1"] * 100).not_read == 100 - service.MAX_IDS_READ
    assert service.parse_ids(["2147483648"]).malformed == ("2147483648",)


def test_one_clinic_ignores_the_differences_view(client):
    (clinic,) = clinics(1)
    html = compare_page(client, str(clinic.id), show="differences")
    assert 'data-row="treatments_administered"' in html
    assert "answer every question the same way" not in html
