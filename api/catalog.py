"""Messages outside a page — the CLI's — from the pages' own catalog (api/translations):
Bahasa Indonesia (the msgids) unless the operator chooses English (IKU_LANGUAGE=en), so
that the office's working language is everywhere and both languages come from one place."""
from __future__ import annotations

import functools
from pathlib import Path

from babel.support import LazyProxy, NullTranslations, Translations

import inspector.catalog

LANGUAGES = ("id", "en")
FOLDER = Path(__file__).parent / "translations"
_chosen = {"language": "id"}


def choose(language: str) -> None:
    """The CLI's language, for its own messages, the inspector's it runs (verify-export…)
    and click's words ("Usage:", "Missing option")."""
    _chosen["language"] = language if language in LANGUAGES else "id"
    inspector.catalog.choose(_chosen["language"])
    inspector.catalog.install_for_libraries(FOLDER)


def language() -> str:
    return _chosen["language"]


@functools.cache
def _translations(language: str) -> NullTranslations:
    if language == "id":
        return NullTranslations()  # the msgids are Indonesian
    return Translations.load(str(FOLDER), [language])


def gettext(message: str, **variables) -> str:
    """`message` (an Indonesian msgid) in the chosen language, with %(name)s filled in."""
    text = _translations(language()).gettext(message)
    return text % variables if variables else text


def lazy_gettext(message: str) -> LazyProxy:
    """`message` translated when it is shown, not when it is defined: the help texts of
    the CLI's commands, made at import, shown after the language is chosen."""
    return LazyProxy(gettext, message, enable_cache=False)


_ = gettext
_l = lazy_gettext
