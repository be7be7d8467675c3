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


def label(vocabulary: dict[str, str], code: str | None) -> str:
    """The patient-facing label of a code, or the code itself when unknown."""
    if code is None:
        return "Not stated"
    return vocabulary.get(code, code)
