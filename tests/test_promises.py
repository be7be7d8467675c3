"""The promise rule: claims about a patient's result flag, other uses of the same words do not.

Grow these lists when a case is found: a phrase that flagged wrongly goes to
NOT_PROMISES, one that slipped through goes to PROMISES.
"""

from __future__ import annotations

import pytest

from portal.vetting import promise_in, red_flags
from tests.factories import clean_profile

PROMISES = [
    "Ketamine cures depression.",
    "Our protocol cured 9 in 10 of our patients.",
    "We are curing treatment-resistant depression, one infusion at a time.",
    "A cure for anxiety in three sessions.",
    "Guaranteed relief in one visit.",
    "We guarantee results or your money back.",
    "We guarantee you will feel better after the first infusion.",
    "Relief is guaranteed.",
    "Results guaranteed!",
    "Our treatment is guaranteed to work.",
    "Permanent relief from depression.",
    "A permanent cure for chronic pain.",
    "Our infusions end depression permanently.",
    "Get rid of PTSD for good: we eliminate it for good.",
    "100% success rate.",
    "100% effective against treatment-resistant depression.",
    "One hundred percent effective.",
    "100% of our patients improve.",
    "100 percent of patients respond within a week.",
    "Ketamine works for everyone.",
    "It works for every patient we see.",
    "Effective for all patients, whatever they tried before.",
    "Every patient responds to our protocol.",
    "The miracle cure you have been waiting for.",
    "A proven cure-all for mood disorders.",
    "Our method never fails.",
    "It is no miracle, but we guarantee results.",
    "Ketamine is not for everyone. It cures depression.",
    "No side effects, guaranteed relief.",
    "Six infusions, with results 100% assured or the last infusion is free.",
    "Assured results from the first session.",
]

NOT_PROMISES = [
    "100% of sessions are watched by a registered nurse.",
    "100% of our staff are certified in advanced life support.",
    "Your price is guaranteed for a year.",
    "We offer a price guarantee on every package.",
    "We guarantee an appointment within a week.",
    "We guarantee your privacy.",
    "Ketamine is not a cure.",
    "Ketamine is a tool, not a cure-all.",
    "The medication did not cure their depression.",
    "Many of our patients found that antidepressants failed to cure their symptoms.",
    "There is no cure for depression, but there is help.",
    "We cannot guarantee results.",
    "Results are not guaranteed; they vary from person to person.",
    "No clinic can promise a cure.",
    "We won’t promise a miracle.",
    'One patient wrote: "I feel cured."',
    "A patient told us, “It worked for me when nothing else did, it cured my fog.”",
    "‘Guaranteed relief’ is a claim you should be wary of.",
    "We aim to ease symptoms; results vary.",
    "Secure parking is available.",
    "Our nurses are accurate and caring.",
    "Ketamine does not work for everyone.",
    "Treatment is not effective for all patients.",
    "Sessions are 100% private.",
    "Payment is due at 100% of the package price before the first session.",
    "Relief can start within hours for many patients, and may fade over weeks.",
    "We follow the permanent record-keeping rules of the state board.",
    "We are not certain relief will come for you, so we check in after every session.",
    "Rest assured, a nurse stays with you the whole time.",
]


@pytest.mark.parametrize("text", PROMISES)
def test_a_promise_about_a_patients_result_flags(text):
    assert promise_in(text) is not None, text
    assert "promises_cure" in [flag.code for flag in red_flags(clean_profile(description=text))]


@pytest.mark.parametrize("text", NOT_PROMISES)
def test_other_uses_of_the_words_do_not_flag(text):
    match = promise_in(text)
    assert match is None, f"{text!r} flagged on {match.group(0)!r}"


def test_the_corpus_is_large_enough_both_ways():
    assert len(PROMISES) >= 20 and len(NOT_PROMISES) >= 20
    assert not set(PROMISES) & set(NOT_PROMISES)


def test_the_reason_quotes_the_words_and_names_the_answer():
    profile = clean_profile(plan_notes="Most of our patients feel better. Results guaranteed.")
    flag = next(f for f in red_flags(profile) if f.code == "promises_cure")
    assert '"More about the treatment plan"' in flag.reason
    assert '"Results guaranteed"' in flag.reason
    assert flag.evidence == f"plan_notes: {profile.plan_notes}"
