"""Who is acting: set per request by the api, per command by the CLI.

Events take their `actor` from here so that no command method has to carry it, and no
client can choose it.
"""
from contextlib import contextmanager
from contextvars import ContextVar

_actor: ContextVar[str | None] = ContextVar("iku_actor", default=None)


def current_actor() -> str:
    actor = _actor.get()
    if not actor:
        raise RuntimeError("no actor: commands must run inside acting_as(...)")
    return actor


@contextmanager
def acting_as(actor: str):
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)
