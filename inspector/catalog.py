"""The inspector's messages: Bahasa Indonesia (the msgids) unless English is chosen
(`--bahasa en`, or IKU_LANGUAGE=en as for the service's CLI).

The inspector has its own gettext catalog (inspector/locale, domain "inspector") read with
the standard library's gettext, so that the folder stays copyable with Python and
`cryptography` alone; `make translations` keeps it beside the service's.

The libraries' own words (argparse's "usage:", click's "Show this message and exit.") come
from the standard gettext's current domain in the language the environment's LANGUAGE names:
`install_for_libraries` points both at a catalog of those words and the chosen language."""
from __future__ import annotations

import functools
import gettext as _gettext
import os
from contextvars import ContextVar
from pathlib import Path

LANGUAGES = ("id", "en")
FOLDER = Path(__file__).parent / "locale"
DOMAIN = "inspector"
_chosen = {"language": "id"}
# A web request's own language (its page's, or the API's English) over the process's.
_speaking: ContextVar[str | None] = ContextVar("inspector_language", default=None)


def choose(language: str | None) -> None:
    """The process's language: a command-line run's."""
    _chosen["language"] = language if language in LANGUAGES else "id"


def speak(language: str | None):
    """The language of what runs in this context from now on (a web request's, set as the
    request begins), whatever the process chose; `stop_speaking(token)` gives it back."""
    return _speaking.set(language if language in LANGUAGES else None)


def stop_speaking(token) -> None:
    _speaking.reset(token)


def language() -> str:
    return _speaking.get() or _chosen["language"]


@functools.cache
def _translations(language: str) -> _gettext.NullTranslations:
    if language == "id":
        return _gettext.NullTranslations()  # the msgids are Indonesian
    return _gettext.translation(DOMAIN, str(FOLDER), [language])


def gettext(message: str, **variables) -> str:
    """`message` (an Indonesian msgid) in the chosen language, with %(name)s filled in."""
    text = _translations(language()).gettext(message)
    return text % variables if variables else text


_ = gettext


LIBRARIES = "libraries"  # the domain of the libraries' own words, translated into Indonesian


def install_for_libraries(folder: Path = FOLDER) -> None:
    """In this process, argparse and click speak the chosen language: the standard gettext's
    domain is our catalog of their words (`folder`/id/LC_MESSAGES/libraries.mo) and LANGUAGE,
    which gettext reads on each message, the chosen language. For a command-line process only."""
    _gettext.bindtextdomain(LIBRARIES, str(folder))
    _gettext.textdomain(LIBRARIES)
    os.environ["LANGUAGE"] = language()
