"""The one authorization rule: the role table of SPEC §8. Every entrypoint (the JSON API,
the pages, the CLI) asks here; a refusal is `NotPermitted` (403)."""
from __future__ import annotations

from domain.exceptions import NotPermitted
from inspector.roles import ROLE_PERMISSIONS, UCAPAN

__all__ = ["ROLE_PERMISSIONS", "UCAPAN", "may", "require", "retractable_kinds"]

# The role table is the inspector's (inspector/roles.py): the one the service enforces is the
# one the witness and verify-export hold every event to. `upload_evidence`: keep a photo or
# video in the evidence store; `read_access`: the history of users' access (who could do
# what, when); `cosign`: the inspectorate's witness (docs/AUDIT.md). The ucapan (docs/RULES.md,
# "Ucapan"): the Sub Bagian Protokol, which keeps the leaders' agenda, requests and delivers them.
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
