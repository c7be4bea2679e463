"""Messages outside a page — the CLI's — from the pages' own catalog (api/translations):
Bahasa Indonesia (the msgids) unless the operator chooses English (IKU_LANGUAGE=en), so
that the office's working language is everywhere and both languages come from one place."""
from __future__ import annotations

import functools
from pathlib import Path

from babel.support import NullTranslations, Translations

LANGUAGES = ("id", "en")
FOLDER = Path(__file__).parent / "translations"
_chosen = {"language": "id"}


def choose(language: str) -> None:
    _chosen["language"] = language if language in LANGUAGES else "id"


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


_ = gettext
