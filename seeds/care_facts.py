"""Give the sample clinics the facts of issue 17 and add the telehealth providers.

Run from the project root: `.venv/bin/python seeds/care_facts.py`. It rewrites
seeds/clinics.json in place and can run again after a merge (every value it
sets is derived from the clinic's slug, so a second run changes nothing).

- every clinic: settings, languages (Spanish at >= 6), insurers, age groups,
  accessibility (in-clinic ones), weekly hours (a few do not state them; one
  stays open past midnight), a booking link for some, clinicians with valid NPIs;
- a few existing clinics also treat at home or by telehealth;
- four new telehealth providers whose licences, with the others', cover all 50
  states and DC.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal import vocab  # noqa: E402
from portal.credentials import npi_is_valid  # noqa: E402

SEED_FILE = ROOT / "seeds" / "clinics.json"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")

SPANISH = {  # metros with many Spanish speakers: at least six clinics speak it
    "harbor-ketamine-center",
    "mission-hills-mind-health",
    "live-oak-infusion-collective",
    "bayou-crescent-ketamine-center",
    "heights-lantern-mind-health",
    "saguaro-hall-infusion-studio",
    "carthay-ketamine-studio",
    "tidewater-infusion-center",
    "palmetto-light-mind-health",
    "banyan-court-infusion-partners",
    "ninth-meridian-infusion-center",
    "gulf-coast-telehealth-ketamine",
    "continental-divide-telepsychiatry",
}
OTHER_LANGUAGES = ("zh", "vi", "ko", "tl", "ru", "ar", "fr", "ht", "pt", "ase", "hi", "pl")
NO_HOURS = {
    "riverside-terrace-mind-health",
    "greystone-mesa-ketamine-center",
    "maple-hill-infusions",
}
LATE_NIGHT = "lincoln-grove-ketamine-clinic"  # Friday and Saturday past midnight
ACCESS_NOTES = {
    "harbor-ketamine-center": "Lift to the third floor; the recovery room has a recliner.",
    "live-oak-infusion-collective": "Ramp at the side door; ask us to meet you at the car.",
    "lakefront-clarity-infusions": "Quiet, dimmed room for patients sensitive to light.",
    "beacon-lamp-ketamine-center": "Doors are 36 inches wide; a wheelchair is at reception.",
    "millrace-infusion-center": "Parking right at the door, no steps inside.",
}
FIRST_NAMES = ("Ana", "Marcus", "Priya", "Daniel", "Mei", "Tomas", "Grace", "Omar", "Lena", "Jon")
LAST_NAMES = ("Ruiz", "Okafor", "Natarajan", "Brooks", "Chen", "Varga", "Holm", "Haddad", "Sato")

# Existing clinics that also treat at home or by telehealth.
REMOTE: dict[str, dict] = {
    "bluebonnet-mobile-infusions": {
        "settings": ["at_home"],
        "remote_companion": "sitter",
        "remote_monitoring": True,
        "first_dose_supervised": True,
        "emergency_plan": "The sitter calls 911 and our on-call nurse; we stay on the line.",
    },
    "desert-bloom-ketamine-lounge": {
        "settings": ["in_clinic", "telehealth"],
        "telehealth_states": ["AZ", "NM", "NV"],
        "telehealth_evaluation": "in_person",
        "remote_companion": "nobody",
        "remote_monitoring": False,
        "first_dose_supervised": True,
    },
    "riverlight-mind-clinic": {
        "settings": ["in_clinic", "telehealth"],
        "telehealth_states": ["TN", "KY", "GA", "AL"],
        "telehealth_evaluation": "in_person",
        "remote_companion": "nobody",
        "remote_monitoring": True,
        "first_dose_supervised": True,
        "emergency_plan": "A nurse joins every home session by video and can send help.",
    },
    "belmont-rain-mind-health": {
        "settings": ["in_clinic", "telehealth"],
        "telehealth_states": ["OR", "WA"],
        "telehealth_evaluation": "video",
        "remote_companion": "nobody",
        "remote_monitoring": True,
        "first_dose_supervised": True,
        "emergency_plan": "Patients share a support person's number; we call them and 911.",
    },
    "prospect-birch-mind-health": {
        "settings": ["in_clinic", "telehealth"],
        "telehealth_states": ["MN", "WI", "ND", "SD", "IA"],
        "telehealth_evaluation": "in_person",
        "remote_companion": "nobody",
        "remote_monitoring": True,
        "first_dose_supervised": True,
    },
    "heronwood-home-infusions": {
        "settings": ["at_home"],
        "remote_companion": "nobody",
        "remote_monitoring": False,
        "first_dose_supervised": False,
    },
    "juanita-shore-ketamine-care": {
        "settings": ["telehealth"],
        "telehealth_states": ["WA"],
        "telehealth_evaluation": "video",
        "remote_companion": "nobody",
        "remote_monitoring": False,
        "first_dose_supervised": False,
    },
}

# New telehealth providers: slug -> (template clinic, overrides).
NEW_PROVIDERS: dict[str, tuple[str, dict]] = {
    "continental-divide-telepsychiatry": (
        "columbine-field-mind-health",
        {
            "name": "Continental Divide Telepsychiatry",
            "description": "Psychiatrists who assess by video and prescribe ketamine lozenges "
            "for patients across the Mountain West.",
            "address": "1600 Larimer Street, Suite 410",
            "city": "Denver",
            "zip": "80205",
            "phone": "(303) 555-0188",
            "website": "https://divide-telepsychiatry.example",
            "email": "care@divide-telepsychiatry.example",
            "settings": ["telehealth"],
            "telehealth_states": [
                "MT",
                "WY",
                "ID",
                "UT",
                "CO",
                "NM",
                "ND",
                "SD",
                "NE",
                "KS",
                "NV",
                "AZ",
            ],
            "telehealth_evaluation": "video",
            "emergency_plan": "A psychiatrist watches the first hour by video and calls 911 if "
            "needed.",
            "therapy": "coordinated",
            "therapy_notes": "We write to your therapist after each change of dose.",
            "treatments_administered": 3100,
        },
    ),
    "gulf-coast-telehealth-ketamine": (
        "galleria-stillwater-clinic",
        {
            "name": "Gulf Coast Telehealth Ketamine",
            "description": "Online ketamine care for the South, with lozenges mailed to your "
            "door after an online questionnaire.",
            "address": "2400 Post Oak Boulevard, Suite 900",
            "city": "Houston",
            "zip": "77002",
            "phone": "(713) 555-0186",
            "website": "https://gulfcoast-teleketamine.example",
            "email": "hello@gulfcoast-teleketamine.example",
            "settings": ["telehealth"],
            "telehealth_states": ["TX", "LA", "OK", "AR", "MS", "AL", "TN", "KY", "MO", "IA"],
            "telehealth_evaluation": "forms_only",
            "emergency_plan": "Patients are told to call 911 in an emergency.",
            "recovery_minutes": 60,
            "treatments_administered": 5200,
        },
    ),
    "cascade-virtual-ketamine-care": (
        "lantern-bridge-mind-health",
        {
            "name": "Cascade Virtual Ketamine Care",
            "description": "Nurse-led telehealth ketamine for the West Coast, Alaska and Hawaii, "
            "with a video check-in during every home session.",
            "address": "1200 Westlake Avenue North, Suite 300",
            "city": "Seattle",
            "zip": "98109",
            "phone": "(206) 555-0187",
            "website": "https://cascade-virtual-ketamine.example",
            "email": "team@cascade-virtual-ketamine.example",
            "settings": ["telehealth", "at_home"],
            "telehealth_states": ["WA", "OR", "AK", "HI", "CA", "ID", "MT"],
            "telehealth_evaluation": "video",
            "remote_companion": "clinician",
            "emergency_plan": "A nurse stays for the whole session and carries emergency drugs.",
            "treatments_administered": 1900,
        },
    ),
    "atlantic-telehealth-ketamine": (
        "schuylkill-lamp-infusion-partners",
        {
            "name": "Atlantic Telehealth Ketamine",
            "description": "Psychiatric nurse practitioners prescribing ketamine by video from "
            "Maine to Florida and around the Great Lakes.",
            "address": "1650 Arch Street, Suite 1200",
            "city": "Philadelphia",
            "zip": "19102",
            "phone": "(215) 555-0189",
            "website": "https://atlantic-teleketamine.example",
            "email": "intake@atlantic-teleketamine.example",
            "settings": ["telehealth"],
            "telehealth_states": [
                "ME",
                "NH",
                "VT",
                "MA",
                "RI",
                "CT",
                "NY",
                "NJ",
                "PA",
                "DE",
                "MD",
                "DC",
                "VA",
                "WV",
                "NC",
                "SC",
                "GA",
                "FL",
                "OH",
                "MI",
                "IN",
                "IL",
                "WI",
                "MN",
            ],
            "telehealth_evaluation": "video",
            "routes": ["oral"],
            "recovery_minutes": 90,
            "treatments_administered": 2700,
            "emergency_plan": "Every home session starts with a video check and a named support "
            "person on call.",
        },
    ),
}
TELEHEALTH_DEFAULTS = {
    "remote_companion": "nobody",
    "remote_monitoring": True,
    "first_dose_supervised": True,
    "routes": ["oral"],
    "recovery_minutes": 90,
    "accessibility": [],
    "accessibility_note": "",
}


def valid_npi(rng: random.Random) -> str:
    while True:
        npi = "1" + "".join(str(rng.randint(0, 9)) for _ in range(9))
        for last in "0123456789":
            if npi_is_valid(npi[:9] + last):
                return npi[:9] + last


def licence(rng: random.Random, state: str) -> str:
    return f"{state}-{rng.randint(10000, 99999)}"


def hours(slug: str, rng: random.Random, remote_only: bool) -> list[dict]:
    if slug in NO_HOURS:
        return []
    if remote_only:
        spans = [(day, "10:00", "20:00") for day in WEEKDAYS] + [("saturday", "10:00", "14:00")]
    elif slug == LATE_NIGHT:
        spans = [(day, "09:00", "17:00") for day in WEEKDAYS[:4]]
        spans += [("friday", "12:00", "01:00"), ("saturday", "16:00", "01:00")]
    elif rng.random() < 0.3:  # split day with a lunch break
        spans = [(d, o, c) for d in WEEKDAYS for o, c in (("08:00", "12:00"), ("13:00", "17:30"))]
    else:
        opens = rng.choice(("07:30", "08:00", "09:00"))
        spans = [(day, opens, rng.choice(("16:00", "17:00", "18:00"))) for day in WEEKDAYS]
        if rng.random() < 0.4:
            spans.append(("saturday", "09:00", "13:00"))
    return [{"day": d, "opens": o, "closes": c} for d, o, c in spans]


def care_facts(entry: dict) -> dict:
    slug, p = entry["slug"], entry["profile"]
    rng = random.Random(f"issue-17/{slug}")
    if slug in NEW_PROVIDERS:
        remote = {**TELEHEALTH_DEFAULTS, **NEW_PROVIDERS[slug][1]}
    else:
        remote = REMOTE.get(slug, {})
    settings = [c for c in vocab.SETTINGS if c in remote.get("settings", ["in_clinic"])]
    remote_only = "in_clinic" not in settings
    languages = ["en"] + (["es"] if slug in SPANISH else [])
    if rng.random() < 0.35:
        languages.append(rng.choice(OTHER_LANGUAGES))
    insurers = sorted(rng.sample(list(vocab.INSURERS), rng.choice((0, 1, 2, 3, 4))))
    if "esketamine" in p["routes"] and "medicare" not in insurers:
        insurers.append("medicare")  # Spravato is the one form insurers often cover
    ages = ["adults"] + (["older_adults"] if rng.random() < 0.6 else [])
    if rng.random() < 0.2 and "esketamine" not in p["routes"]:
        ages.insert(0, "adolescents")
    if slug == "mission-hills-mind-health":
        ages.insert(0, "children")
    access = [] if remote_only else ["step_free_entrance", "accessible_restroom"]
    if access:
        access += [
            c
            for c in (
                "accessible_parking",
                "elevator",
                "hearing_loop",
                "asl_interpreter",
                "service_animals",
            )
            if rng.random() < 0.4
        ]
    domain = p["website"].removeprefix("https://")
    people = []
    roles = ("medical_director", "prescriber", "nurse", "therapist")
    for role in roles[:1] + tuple(r for r in roles[1:] if rng.random() < 0.45):
        credential = {
            "medical_director": "MD",
            "prescriber": rng.choice(("MD", "DO", "PMHNP")),
            "nurse": "RN",
            "therapist": rng.choice(("LCSW", "PhD", "LMFT")),
        }[role]
        people.append(
            {
                "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                "credential": credential,
                "role": role,
                "npi": valid_npi(rng),
            }
        )
    facts = {
        "settings": settings,
        "telehealth_states": [
            {"state": state, "licence_number": licence(rng, state)}
            for state in sorted(remote.get("telehealth_states", []))
        ],
        "telehealth_evaluation": None,
        "remote_companion": None,
        "remote_monitoring": None,
        "first_dose_supervised": None,
        "emergency_plan": "",
        "languages": [c for c in vocab.LANGUAGES if c in languages],
        "hours": hours(slug, rng, remote_only),
        "timezone": "",
        "accessibility": [c for c in vocab.ACCESSIBILITY if c in access],
        "accessibility_note": ACCESS_NOTES.get(slug, ""),
        "age_groups": [c for c in vocab.AGE_GROUPS if c in ages],
        "insurers": [c for c in vocab.INSURERS if c in insurers],
        "booking_url": f"https://{domain}/book" if rng.random() < 0.5 or remote_only else "",
        "clinicians": people,
    }
    for key in (
        "telehealth_evaluation",
        "remote_companion",
        "remote_monitoring",
        "first_dose_supervised",
        "emergency_plan",
    ):
        if key in remote:
            facts[key] = remote[key]
    return facts


def new_entry(slug: str, entries: dict[str, dict]) -> dict:
    template, overrides = NEW_PROVIDERS[slug]
    base = entries[template]
    rng = random.Random(f"issue-17/new/{slug}")
    profile = {**base["profile"], **TELEHEALTH_DEFAULTS, **overrides}
    profile["npi"] = valid_npi(rng)
    profile["licence_state"] = profile["state"]
    profile["licence_number"] = licence(rng, profile["state"])
    profile["price_min"], profile["price_max"] = 300, 450
    profile["consultation_fee"] = 150
    for name in ("experience_notes", "safety_notes", "plan_notes", "cost_notes"):
        profile[name] = ""
    return {
        "slug": slug,
        "status": "published",
        "verified_on": base["verified_on"],
        "last_confirmed_on": base["last_confirmed_on"],
        "profile": profile,
    }


def main() -> None:
    document = json.loads(SEED_FILE.read_text("utf-8"))
    entries = {entry["slug"]: entry for entry in document["clinics"]}
    for slug in NEW_PROVIDERS:
        if slug not in entries:
            entries[slug] = new_entry(slug, entries)
    for entry in entries.values():
        entry["profile"].update(care_facts(entry))
    document["clinics"] = list(entries.values())
    published = [  # the clinics a nearby search can list
        e["profile"]
        for e in document["clinics"]
        if e["status"] == "published" and {"in_clinic", "at_home"} & set(e["profile"]["settings"])
    ]
    for kind, vocabulary in (("languages", vocab.LANGUAGES), ("insurers", vocab.INSURERS)):
        used = {code for p in published for code in p[kind]}
        for index, code in enumerate(c for c in vocabulary if c not in used):
            p = published[(index * 7 + 3) % len(published)]  # every code somewhere
            p[kind] = [c for c in vocabulary if c in {*p[kind], code}]
    covered = {
        item["state"]
        for entry in document["clinics"]
        if entry["status"] == "published" and "telehealth" in entry["profile"]["settings"]
        for item in entry["profile"]["telehealth_states"]
    }
    missing = set(vocab.US_STATES) - covered - {"PR"}
    assert not missing, f"no published telehealth provider licensed in {sorted(missing)}"
    SEED_FILE.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")


if __name__ == "__main__":
    main()
