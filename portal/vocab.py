"""The codes of the public contract (CONTRACT.md) and the labels patients read.

Every code used in a URL, a form, the database or the JSON API comes from here,
so a new code is added in one place. Dicts keep their insertion order, which is
the order patients see.
"""

ROUTES: dict[str, str] = {
    "iv": "IV infusion",
    "im": "Intramuscular injection",
    "esketamine": "Esketamine nasal spray (Spravato)",
    "oral": "Oral or sublingual",
}

CONDITIONS: dict[str, str] = {
    "depression": "Depression",
    "trd": "Treatment-resistant depression",
    "suicidal_ideation": "Suicidal thoughts",
    "anxiety": "Anxiety disorders",
    "ptsd": "PTSD",
    "ocd": "OCD",
    "chronic_pain": "Chronic pain",
    "migraine": "Migraine",
    "substance_use": "Substance use disorders",
}

THERAPY: dict[str, str] = {
    "in_house": "Therapy offered in house",
    "coordinated": "Works with your own therapist",
    "referral": "Refers you to a therapist",
    "none": "No therapy offered",
}

LISTING_STATUS: dict[str, str] = {
    "draft": "Draft",
    "pending": "Pending review",
    "published": "Published",
    "rejected": "Rejected",
    "suspended": "Suspended",
}

# Where a clinic's listing stands, as its dashboard says it (see listings.workflow_status).
WORKFLOW_STATUS: dict[str, str] = {
    "draft": "Draft",
    "pending": "Pending review",
    "published": "Published",
    "changes_requested": "Changes requested",
    "rejected": "Rejected",
    "suspended": "Suspended",
}

DIRECTOR_DISCIPLINES: dict[str, str] = {
    "psychiatry": "Psychiatry",
    "anesthesiology": "Anesthesiology",
    "emergency_medicine": "Emergency medicine",
    "crna": "Nurse anesthetist (CRNA)",
    "other": "Other",
}

SESSION_MONITORS: dict[str, str] = {
    "physician": "A physician",
    "nurse": "A nurse",
    "none": "No medical staff",
}

PAYMENT_OPTIONS: dict[str, str] = {
    "insurance": "Accepts insurance for some treatments",
    "insurance_verification": "Checks your insurance benefits for you",
    "superbill": "Gives a superbill for out-of-network claims",
    "financing": "Financing",
    "payment_plan": "Payment plans",
    "sliding_scale": "Sliding-scale prices",
    "hsa_fsa": "HSA or FSA cards",
}

SCREENING_ITEMS: dict[str, str] = {
    "screens_medical_history": "Medical history",
    "screens_psychiatric_evaluation": "Psychiatric evaluation",
    "screens_prior_treatments": "Review of previous treatments",
    "screens_contraindications": "Screening for conditions that rule ketamine out",
}

VITAL_SIGNS: dict[str, str] = {
    "monitors_blood_pressure": "Blood pressure",
    "monitors_heart_rate": "Heart rate",
    "monitors_oxygen": "Blood oxygen (pulse oximetry)",
    "monitors_ecg": "ECG",
}

USER_ROLES: dict[str, str] = {
    "clinic_staff": "Clinic staff",
    "moderator": "Moderator",
}

# What a clinic's staff member may do: owners also invite, remove and change roles.
TEAM_ROLES: dict[str, str] = {
    "owner": "Owner",
    "editor": "Editor",
}

# How someone claiming an unmanaged listing shows it is theirs.
CLAIM_METHODS: dict[str, str] = {
    "domain": "An email address at the clinic's website domain",
    "evidence": "Evidence for the moderators to check",
}

CLAIM_STATUS: dict[str, str] = {
    "awaiting_email": "Waiting for the link sent to the work address",
    "waiting": "Waiting for a moderator",
    "approved": "Approved",
    "refused": "Refused",
}

DECISIONS: dict[str, str] = {
    "approve": "Approved",
    "reject": "Rejected",
    "request_changes": "Changes requested",
}

SORTS: dict[str, str] = {
    "distance": "Nearest first",
    "experience": "Most experienced first",
    "price": "Lowest price first",
}

REPORT_KINDS: dict[str, str] = {
    "unsafe": "Something unsafe",
    "wrong_contact": "Wrong phone number or address",
    "closed": "The clinic has closed",
    "not_accepting": "Not accepting new patients",
    "other": "Something else",
}

US_STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota",
    "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "PR": "Puerto Rico",
}  # fmt: skip


# --- Care beyond the clinic door, and the facts patients filter on (issue 17) ---

SETTINGS: dict[str, str] = {
    "in_clinic": "At the clinic",
    "at_home": "At home (a clinician comes to you)",
    "telehealth": "By telehealth",
}

# Who is with the patient during an at-home or telehealth session.
REMOTE_COMPANIONS: dict[str, str] = {
    "clinician": "A clinician (doctor or nurse)",
    "sitter": "A trained sitter, not a clinician",
    "nobody": "Nobody",
}

# How a telehealth prescriber first evaluates a patient.
TELEHEALTH_EVALUATIONS: dict[str, str] = {
    "in_person": "In person",
    "video": "Live video visit",
    "forms_only": "Forms or messages only, no live visit",
}

# ISO 639-1 codes (639-3 where there is none), in the order patients most often need them.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "es": "Spanish",
    "zh": "Chinese",
    "vi": "Vietnamese",
    "ko": "Korean",
    "tl": "Tagalog",
    "ru": "Russian",
    "ar": "Arabic",
    "fr": "French",
    "ht": "Haitian Creole",
    "pt": "Portuguese",
    "ase": "American Sign Language",
    "de": "German",
    "hi": "Hindi",
    "pl": "Polish",
    "ja": "Japanese",
    "fa": "Persian (Farsi)",
    "hy": "Armenian",
    "it": "Italian",
    "uk": "Ukrainian",
    "so": "Somali",
    "nv": "Navajo",
}

ACCESSIBILITY: dict[str, str] = {
    "step_free_entrance": "Step-free entrance",
    "accessible_restroom": "Accessible restroom",
    "accessible_parking": "Accessible parking",
    "elevator": "Elevator",
    "hearing_loop": "Hearing loop",
    "asl_interpreter": "ASL interpreter on request",
    "service_animals": "Service animals welcome",
}

AGE_GROUPS: dict[str, str] = {
    "children": "Children (under 13)",
    "adolescents": "Adolescents (13-17)",
    "adults": "Adults (18-64)",
    "older_adults": "Older adults (65 and over)",
}

INSURERS: dict[str, str] = {
    "medicare": "Medicare",
    "medicaid": "Medicaid",
    "tricare": "TRICARE",
    "va_community_care": "VA Community Care",
    "aetna": "Aetna",
    "anthem": "Anthem",
    "blue_cross_blue_shield": "Blue Cross Blue Shield",
    "cigna": "Cigna",
    "humana": "Humana",
    "kaiser_permanente": "Kaiser Permanente",
    "optum": "Optum",
    "unitedhealthcare": "UnitedHealthcare",
}

CLINICIAN_ROLES: dict[str, str] = {
    "medical_director": "Medical director",
    "prescriber": "Prescriber",
    "nurse": "Nurse",
    "therapist": "Therapist",
}

WEEKDAYS: dict[str, str] = {
    "monday": "Monday",
    "tuesday": "Tuesday",
    "wednesday": "Wednesday",
    "thursday": "Thursday",
    "friday": "Friday",
    "saturday": "Saturday",
    "sunday": "Sunday",
}

# The zones US clinics are in; a clinic's zone comes from its ZIP unless it names one.
TIMEZONES: dict[str, str] = {
    "America/New_York": "Eastern",
    "America/Detroit": "Eastern (Michigan)",
    "America/Indiana/Indianapolis": "Eastern (Indiana)",
    "America/Kentucky/Louisville": "Eastern (Kentucky)",
    "America/Chicago": "Central",
    "America/Indiana/Knox": "Central (Indiana)",
    "America/Menominee": "Central (Michigan)",
    "America/North_Dakota/Center": "Central (North Dakota)",
    "America/Denver": "Mountain",
    "America/Boise": "Mountain (Idaho)",
    "America/Phoenix": "Mountain, no daylight saving (Arizona)",
    "America/Los_Angeles": "Pacific",
    "America/Anchorage": "Alaska",
    "America/Juneau": "Alaska (Juneau)",
    "America/Nome": "Alaska (Nome)",
    "America/Sitka": "Alaska (Sitka)",
    "America/Yakutat": "Alaska (Yakutat)",
    "America/Metlakatla": "Alaska (Metlakatla)",
    "America/Adak": "Hawaii-Aleutian (Adak)",
    "Pacific/Honolulu": "Hawaii",
    "America/Puerto_Rico": "Atlantic (Puerto Rico)",
}


def label(vocabulary: dict[str, str], code: str | None) -> str:
    """The patient-facing label of a code, or the code itself when unknown."""
    if code is None:
        return "Not stated"
    return vocabulary.get(code, code)
