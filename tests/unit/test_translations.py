"""Every message of the pages has an English translation, and the compiled catalog is the
one the .po says (run `make translations` after changing texts)."""
from io import BytesIO
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).parents[2]
CATALOG = ROOT / "api" / "translations" / "en" / "LC_MESSAGES"
METHODS = [("api/**.py", "python"), ("api/templates/**.html", "jinja2")]


def messages_in_the_code() -> set[str]:
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), METHODS, keywords={"_": None, "_l": None, "gettext": None}):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_of_the_pages_has_an_english_translation():
    with open(CATALOG / "messages.po", "rb") as f:
        catalog = read_po(f)
    translated = {m.id for m in catalog if m.id and m.string}
    missing = messages_in_the_code() - translated
    assert missing == set()


def test_the_compiled_catalog_matches_its_source():
    with open(CATALOG / "messages.po", "rb") as f:
        source = {m.id: m.string for m in read_po(f) if m.id}
    with open(CATALOG / "messages.mo", "rb") as f:
        compiled = {m.id: m.string for m in read_mo(BytesIO(f.read())) if m.id}
    assert compiled == source
