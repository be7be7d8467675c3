"""One blinker signal per listing transition, sent after the change is flushed.

Later work (an email to the clinic, a cache refresh) connects here; the
operations do not know who listens. Receivers get the clinic as sender and
`actor`, `revision` (or None) and `detail` as keywords; they must not commit.
"""

from __future__ import annotations

from blinker import Namespace

from portal.listings.lifecycle import ACTIONS

_namespace = Namespace()

SIGNALS = {action: _namespace.signal(f"listing-{action.replace('_', '-')}") for action in ACTIONS}

created = SIGNALS["create"]
draft_saved = SIGNALS["save_draft"]
submitted = SIGNALS["submit"]
approved = SIGNALS["approve"]
rejected = SIGNALS["reject"]
changes_requested = SIGNALS["request_changes"]
suspended = SIGNALS["suspend"]
restored = SIGNALS["restore"]
confirmed = SIGNALS["confirm"]


def announce(action: str, clinic, *, actor=None, revision=None, detail: str = "") -> None:
    """Tell whoever listens that `action` happened to `clinic`."""
    SIGNALS[action].send(clinic, actor=actor, revision=revision, detail=detail)
