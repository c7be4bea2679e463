"""The `iku` command line (SPEC §7): the same services and service layer as the HTTP API,
built from the same configuration. Commands live by area; each module adds its own to the
group."""
from . import audit, evidence, records, server, store, users  # noqa: F401 - they add their commands
from .base import main

__all__ = ["main"]
