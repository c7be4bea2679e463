"""The one authorization rule: the role table of SPEC §8. Every entrypoint (the JSON API,
the pages, the CLI) asks here; a refusal is `NotPermitted` (403)."""
from __future__ import annotations

from domain.exceptions import NotPermitted

# The leaders' condolences and congratulations (docs/RULES.md, "Ucapan"): the Sub Bagian
# Protokol, which keeps the leaders' agenda, requests and delivers them.
UCAPAN = ("request_ucapan", "deliver_ucapan", "cancel_ucapan", "retract_delivery")
# upload_evidence: keep a photo or video in the evidence store, for a documentation entry or
# an ucapan's delivery.

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({
        "read", "export", "schedule", "reschedule", "cancel", "record_protocol",
        "retract_protocol", "record_documentation", "retract_documentation", "upload_evidence",
        "manage_users", "read_access", "set_targets", "submit_reports", *UCAPAN,
    }),
    "protokol": frozenset({
        "read", "schedule", "reschedule", "cancel", "record_protocol", "retract_protocol", *UCAPAN,
        "upload_evidence",
    }),
    "dokumentasi": frozenset({"read", "record_documentation", "retract_documentation", "upload_evidence"}),
    "pimpinan": frozenset({"read", "read_access", "set_targets", "submit_reports"}),
    "inspektorat": frozenset({"read", "read_access", "export", "cosign"}),  # cosign: the witness (docs/AUDIT.md)
}

# read_access: the history of users' access (who could do what, when)

RETRACTABLE = ("protocol", "documentation")  # the kinds of entry; retract_<kind> permissions


def may(role: str, permission: str) -> bool:
    """`retract`: may retract some kind of entry (which kind, the command decides)."""
    granted = ROLE_PERMISSIONS.get(role, frozenset())
    if permission == "retract":
        return any(f"retract_{kind}" in granted for kind in RETRACTABLE)
    return permission in granted


def require(user, permission: str) -> None:
    """Refuse unless the user's role has the permission."""
    if not may(user.role, permission):
        what = "retract entries" if permission == "retract" else permission.replace("_", " ")
        raise NotPermitted(f"the role {user.role!r} may not {what}")


def retractable_kinds(user) -> tuple[str, ...]:
    """The kinds of entry the user may retract; refused if none. Which kind an entry is
    gets decided by the command, on the activity it appends to."""
    require(user, "retract")
    return tuple(kind for kind in RETRACTABLE if may(user.role, f"retract_{kind}"))
