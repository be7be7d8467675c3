"""A listing's life in one package.

- `lifecycle`: the statuses and the one table of allowed transitions;
- `operations`: every write that moves a listing (flush, never commit);
- `queries`: a revision's state, who manages a clinic, where a listing stands;
- `signals`: one blinker signal per transition, for mail, caches and the like;
- `errors`, `checklist`, `slugs`, `store`: what those share.

The names below stay importable as `portal.listings.X` for callers written
against the old single module.
"""

from portal.listings.checklist import APPROVAL_CHECKS, Checklist, checklist_from
from portal.listings.errors import (
    IllegalTransition,
    IncompleteProfile,
    ListingError,
    NothingToSubmit,
    StaleEdit,
)
from portal.listings.lifecycle import TRANSITIONS, ListingStatus
from portal.listings.operations import (
    confirm_still_accurate,
    create_clinic,
    decide,
    publish_revision,
    restore,
    save_draft,
    submit_for_review,
    submit_revision,
    suspend,
)
from portal.listings.queries import (
    WorkflowStatus,
    latest_revision,
    pending_revision,
    workflow_status,
    working_profile,
)
from portal.listings.slugs import set_public_address, slugify
from portal.listings.store import lock_clinic, lock_draft, locked, record

__all__ = [
    "APPROVAL_CHECKS",
    "TRANSITIONS",
    "Checklist",
    "IllegalTransition",
    "IncompleteProfile",
    "ListingError",
    "ListingStatus",
    "NothingToSubmit",
    "StaleEdit",
    "WorkflowStatus",
    "checklist_from",
    "confirm_still_accurate",
    "create_clinic",
    "decide",
    "latest_revision",
    "lock_clinic",
    "lock_draft",
    "locked",
    "pending_revision",
    "publish_revision",
    "record",
    "restore",
    "save_draft",
    "set_public_address",
    "slugify",
    "submit_for_review",
    "submit_revision",
    "suspend",
    "workflow_status",
    "working_profile",
]
