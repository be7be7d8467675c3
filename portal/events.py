"""Signals sent when a listing or report changes state, for whoever must react (mail).

Services send them after their writes are flushed, inside the same
transaction, so a receiver that writes (the mail outbox) commits or rolls
back with the change itself. Receivers are connected in one place:
`portal.mail.connect_handlers`.
"""

from __future__ import annotations

from blinker import Namespace

lifecycle = Namespace()

# sender: the Clinic; keyword arguments: revision, decision (ReviewDecision)
revision_approved = lifecycle.signal("revision-approved")
revision_rejected = lifecycle.signal("revision-rejected")
changes_requested = lifecycle.signal("changes-requested")
# sender: the Clinic; keyword arguments: moderator, reason
listing_suspended = lifecycle.signal("listing-suspended")
listing_restored = lifecycle.signal("listing-restored")
# sender: the ProblemReport
report_filed = lifecycle.signal("report-filed")
report_resolved = lifecycle.signal("report-resolved")
