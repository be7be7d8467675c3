"""Signals sent when a problem report changes state, for whoever must react (mail).

Listing transitions have their own signals (portal.listings.signals). Services
send these after their writes are flushed, inside the same transaction, so a
receiver that writes (the mail outbox) commits or rolls back with the change.
Receivers are connected in one place: `portal.mail.connect_handlers`.
"""

from __future__ import annotations

from blinker import Namespace

_namespace = Namespace()

# sender: the ProblemReport
report_filed = _namespace.signal("report-filed")
report_resolved = _namespace.signal("report-resolved")
