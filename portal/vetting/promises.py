"""Finding promises about a patient's result in a clinic's own words.

A promise is a claim about what treatment will do for the patient: a cure, a
guaranteed or permanent result, "100% success", "works for everyone". The same
words in other uses are not promises: a price guaranteed for a year, "100% of
sessions are watched by a nurse", "ketamine is not a cure", "the medication did
not cure their depression", or a testimonial quoted as such. tests/test_promises.py
holds the corpus of phrases both ways; grow it when a case is found.
"""

from __future__ import annotations

import re

_W = r"(?:[\w’'-]+\s+)"  # one word and the space after it
RESULT = (
    r"(?:relief|results?|success|recovery|recover|improvement|improve|remission|outcomes?|"
    r"cures?|healing|heal|effective(?:ness)?|works?|feel\s+better|get\s+better|"
    r"symptom[- ]free|depression[- ]free|pain[- ]free)"
)
PEOPLE = r"(?:patients|clients|people|cases|those\s+we\s+treat|our\s+patients)"
RESPOND = (
    r"(?:respond|responds|responded|improve|improves|improved|recover|recovers|recovered|"
    r"feels?\s+better|felt\s+better|gets?\s+better|got\s+better|benefits?|benefited|"
    r"heals?|healed|are\s+cured|were\s+cured|is\s+cured|"
    r"see\s+results|saw\s+results|achieve\s+remission|go\s+into\s+remission)"
)

# Each pattern matches a claim; group "trigger" is the word whose negation undoes it.
PROMISES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # cure, cures, cured, curing (a result); "cure-all" is a cure promise too
        r"\b(?P<trigger>cure[sd]?|curing|cure-all)\b",
        # a miracle cure, drug, treatment or result
        r"\b(?P<trigger>miracle)\s+(?:cure|drug|treatment|results?|medicine)",
        # guarantee ... result, within a few words
        r"\b(?P<trigger>guarantee[sd]?|guaranteeing)\s+" + _W + r"{0,4}?" + RESULT + r"\b",
        r"\b(?P<trigger>guaranteed)\s+to\s+(?:work|help|succeed|heal|relieve|end)",
        r"\b" + RESULT + r"\s+(?:(?:is|are|will\s+be)\s+)?(?P<trigger>guaranteed)\b",
        # results assured / 100% assured / certain
        r"\b" + RESULT + r"\s+(?:(?:is|are|will\s+be)\s+)?"
        r"(?P<trigger>(?:100\s?%\s+)?(?:assured|certain|a\s+certainty))\b",
        r"\b(?P<trigger>assured|certain)\s+(?:relief|results?|success|recovery|cure)\b",
        # permanent relief / cure / results, or ended permanently / for good
        r"\b(?P<trigger>permanent(?:ly)?)\s+" + _W + r"{0,2}?" + RESULT + r"\b",
        r"\b(?:end|ends|ended|eliminate[sd]?|fix(?:es|ed)?|relieve[sd]?|erase[sd]?)\s+"
        + _W
        + r"{0,3}?(?P<trigger>permanently|for\s+good|forever)\b",
        r"\b(?:relief|results?|benefits?)\s+(?:that\s+)?(?:lasts?|last)\s+"
        r"(?P<trigger>forever|a\s+lifetime)\b",
        # 100% success / effective / results; "100% of patients improve"
        r"(?P<trigger>\b100\s?%|\b100\s+percent\b|\bone\s+hundred\s+percent\b)\s*"
        + _W
        + r"{0,1}?"
        + RESULT
        + r"\b",
        r"(?P<trigger>\b100\s?%|\b100\s+percent\b)\s+of\s+" + _W + r"{0,2}?" + PEOPLE + r"\s+"
        r"(?:(?:will|who|have|has|we\s+treat)\s+)?" + RESPOND + r"\b",
        # works for everyone / every patient; everyone responds
        r"\b(?P<trigger>works?|worked|effective|helps?|helped|succeeds?)\s+(?:for|with|on)\s+"
        r"(?:everyone|everybody|anyone|every\s+(?:single\s+)?(?:patient|client|person|one)|"
        r"all\s+(?:of\s+)?(?:our\s+)?(?:patients|clients|people))\b",
        r"\b(?P<trigger>everyone|everybody|every\s+(?:single\s+)?(?:patient|client))\s+"
        r"(?:who\s+\w+\s+)?" + RESPOND + r"\b",
        r"\b(?P<trigger>never\s+fails|always\s+works)\b",
    )
)

NEGATION = re.compile(
    r"\b(?:not|no|never|cannot|can't|can’t|don't|don’t|doesn't|doesn’t|didn't|didn’t|"
    r"won't|won’t|isn't|isn’t|aren't|aren’t|wasn't|wasn’t|nor|without|neither|"
    r"failed|fail|fails|unable|nothing|nobody|rather\s+than|instead\s+of)\b",
    re.IGNORECASE,
)
CLAUSE_BREAK = re.compile(r"[.,;:!?()\n]|\s[-–—]\s|\bbut\b|\bhowever\b", re.IGNORECASE)
NEGATION_REACH_WORDS = 6
# Quoted words are someone else's (a testimonial quoted as such), not the clinic's claim.
QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|(?<!\w)‘[^’]*’(?!\w)|(?<!\w)'[^']*'(?!\w)")


def _negated(text: str, start: int) -> bool:
    """True when the words just before `start`, in the same clause, deny it ("not a cure")."""
    clause = CLAUSE_BREAK.split(text[:start])[-1]
    before = " ".join(clause.split()[-NEGATION_REACH_WORDS:])
    return NEGATION.search(before) is not None


def _unquoted(text: str) -> str:
    """The text with quoted passages blanked out (offsets kept)."""
    return QUOTED.sub(lambda match: " " * len(match.group(0)), text)


def promise_in(text: str) -> re.Match[str] | None:
    """The first promise of a result that the text does not deny or quote, by position."""
    scanned = _unquoted(text)
    found = [
        match
        for pattern in PROMISES
        for match in pattern.finditer(scanned)
        if not _negated(scanned, match.start("trigger"))
    ]
    return min(found, key=lambda match: match.start(), default=None)
