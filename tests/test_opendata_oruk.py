"""The checks Open Referral's validator (ORUK, HSDS 3.0 profile) runs, run here.

It reads the API root (`version`, `profile`, `openapi_url`), then pages through
each list at page 1, random middle pages and the last page (also with
per_page=5), and expects: first_page only on page 1, last_page only on the
last, empty exactly when nothing is on the page, size the number of records,
and size == per_page on every page but the last.
"""

from __future__ import annotations

import math
import os
import random
from urllib.parse import urlsplit

import pytest

from portal.opendata import hsds
from tests.factories import clean_profile, make_clinic

API = "/api/v1/hsds"
COLLECTIONS = ("organizations", "services", "service_at_locations")
# Random but repeatable: ORUK_SEED=<n> replays another draw.
SEED = int(os.environ.get("ORUK_SEED", "19"))


def get_json(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, (url, response.get_data(as_text=True)[:300])
    assert response.is_json, url
    return response.get_json()


def assert_page_rules(page: dict, *, page_number: int, per_page: int, url: str) -> None:
    """Everything the validator checks on one list page."""
    total_items, total_pages, size = page["total_items"], page["total_pages"], page["size"]
    assert page["page_number"] == page_number, url
    assert size == len(page["contents"]), url
    assert total_pages == math.ceil(total_items / per_page), url
    assert page["first_page"] is (page_number == 1), url
    assert page["last_page"] is (page_number >= total_pages), url
    assert page["empty"] is (size == 0), url
    if page_number < total_pages:
        assert size == per_page, f"{url}: a page before the last must be full"
    elif page_number == total_pages:
        assert 1 <= size == total_items - (total_pages - 1) * per_page, url
    else:
        assert size == 0, url


def pages_to_check(total_pages: int, rng: random.Random) -> list[int]:
    """Page 1, up to three random middle pages, the last page and the one after it."""
    middle = list(range(2, total_pages))
    picked = sorted(rng.sample(middle, min(3, len(middle))))
    return sorted({1, *picked, max(total_pages, 1), max(total_pages, 1) + 1})


def check_list_like_the_validator(client, collection: str, query: str, per_page: int) -> int:
    """Walk the pages the validator would; returns total_items."""
    rng = random.Random(f"{SEED}/{collection}/{query}/{per_page}")
    base = f"{API}/{collection}?{query + '&' if query else ''}per_page={per_page}"
    first = get_json(client, f"{base}&page=1")
    assert_page_rules(first, page_number=1, per_page=per_page, url=base)
    for number in pages_to_check(first["total_pages"], rng):
        url = f"{base}&page={number}"
        page = get_json(client, url)
        assert page["total_items"] == first["total_items"], url
        assert_page_rules(page, page_number=number, per_page=per_page, url=url)
    return first["total_items"]


def every_record_id(client, collection: str, query: str, per_page: int) -> list[str]:
    """The ids reached by reading every page in turn."""
    base = f"{API}/{collection}?{query + '&' if query else ''}per_page={per_page}"
    ids: list[str] = []
    number = 1
    while True:
        page = get_json(client, f"{base}&page={number}")
        ids += [record["id"] for record in page["contents"]]
        if page["last_page"]:
            return ids
        number += 1


# --- the API root ------------------------------------------------------------------------


def test_the_root_names_version_profile_and_openapi_url(client):
    root = get_json(client, f"{API}/")
    assert root["version"] == hsds.HSDS_VERSION == "3.0"
    for name in ("profile", "openapi_url"):
        parts = urlsplit(root[name])
        assert parts.scheme == "http" and parts.netloc == "localhost", root[name]

    openapi = get_json(client, urlsplit(root["openapi_url"]).path)
    assert openapi["openapi"].startswith("3.")
    root_answer = openapi["paths"][f"{API}/"]["get"]["responses"]["200"]
    schema = root_answer["content"]["application/json"]["schema"]
    assert {"version", "profile", "openapi_url"} <= set(schema["required"])
    assert schema["properties"]["profile"]["format"] == "uri"

    profile = urlsplit(root["profile"])
    page = client.get(profile.path)
    assert page.status_code == 200 and page.mimetype == "text/html"
    described = page.get_data(as_text=True)
    assert f'id="{profile.fragment}"' in described
    assert "HSDS 3.0 with no change to its schemas" in described
    assert hsds.TAXONOMY_NAME in described


def test_the_root_answers_with_or_without_its_trailing_slash(client):
    assert get_json(client, f"{API}/")["version"] == "3.0"
    redirect = client.get(API)
    assert redirect.status_code in (301, 308)
    assert urlsplit(redirect.headers["Location"]).path == f"{API}/"


# --- paging, as the validator checks it ----------------------------------------------------


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_paging_rules_hold_on_every_list(client, sample_clinics, collection):
    published = len(sample_clinics)
    assert published > 20  # enough for several pages of 5 and of the default 20
    for per_page in (5, 20, 7, published, 100):
        assert check_list_like_the_validator(client, collection, "", per_page) == published
    default = get_json(client, f"{API}/{collection}")
    assert_page_rules(default, page_number=1, per_page=20, url=collection)
    # Reading page after page reaches every record exactly once.
    ids = every_record_id(client, collection, "", 5)
    assert len(ids) == len(set(ids)) == published
    assert ids == [
        r["id"] for r in get_json(client, f"{API}/{collection}?per_page=100")["contents"]
    ]
    # The validator then opens records by an id taken from a list.
    for record_id in random.Random(f"{SEED}/{collection}").sample(ids, 3):
        assert get_json(client, f"{API}/{collection}/{record_id}")["id"] == record_id


@pytest.mark.parametrize("collection", ["services", "service_at_locations"])
def test_paging_rules_hold_on_filtered_lists(client, sample_clinics, collection):
    red_flag_term = hsds.term_id("red_flag")  # filtered in Python, not SQL
    route_term = hsds.term_id("route:iv")
    for query in (
        "search=ketamine",
        f"taxonomy_term_id={red_flag_term}",
        f"taxonomy_term_id={route_term}",
    ):
        total = check_list_like_the_validator(client, collection, query, 5)
        assert total > 5, query  # more than one page, or the test proves little
        ids = every_record_id(client, collection, query, 5)
        assert len(ids) == len(set(ids)) == total, query


def test_an_exactly_full_last_page_and_a_single_record(client):
    for number in range(10):
        make_clinic(clean_profile(name=f"Paging Clinic {number}"))
    for collection in COLLECTIONS:
        last = get_json(client, f"{API}/{collection}?per_page=5&page=2")
        assert_page_rules(last, page_number=2, per_page=5, url=collection)
        assert last["size"] == 5 and last["last_page"] is True
        one = get_json(client, f"{API}/{collection}?per_page=10&search=Paging+Clinic+7")
        assert_page_rules(one, page_number=1, per_page=10, url=collection)
        assert (one["size"], one["first_page"], one["last_page"]) == (1, True, True)


def test_an_empty_list_follows_the_rules(client):
    for collection in COLLECTIONS:
        for number in (1, 2):
            page = get_json(client, f"{API}/{collection}?per_page=5&page={number}")
            assert_page_rules(page, page_number=number, per_page=5, url=collection)
            assert page["empty"] is True and page["last_page"] is True


def test_the_rule_checks_catch_broken_pages():
    good = {
        "total_items": 12,
        "total_pages": 3,
        "page_number": 2,
        "size": 5,
        "first_page": False,
        "last_page": False,
        "empty": False,
        "contents": [{}] * 5,
    }
    assert_page_rules(good, page_number=2, per_page=5, url="good")
    broken = [
        {"first_page": True},
        {"last_page": True},
        {"empty": True},
        {"size": 4},
        {"size": 4, "contents": [{}] * 4},  # a short page before the last
        {"total_pages": 2},
    ]
    for change in broken:
        with pytest.raises(AssertionError):
            assert_page_rules({**good, **change}, page_number=2, per_page=5, url=str(change))
