"""Issue 13: no English left in an Indonesian page. Every page a role opens is rendered with
the browser asking for English (the office's PCs often do) and must read in Indonesian: no
English translation of the catalog appears in it, and no common English word outside an
allow-list of loanwords the office uses."""
import re
from html.parser import HTMLParser
from pathlib import Path
from uuid import UUID

import pytest
from babel.messages.pofile import read_po

from domain.context import acting_as
from tests.api.test_pages import activity_id, login, logins, token_of  # noqa: F401
from tests.conftest import wib

CATALOG = Path(__file__).parents[2] / "api" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
ENGLISH_BROWSER = {"Accept-Language": "en-US,en;q=0.9"}

# Words that would only be there in English: function words and the UI's own vocabulary.
ENGLISH = set("""
the and of to is are was were be been not with for from by on at this that these those which
who what when where why how your you our we they it its into than then there here all any
each every no yes or but if else only also more most less least very can could may might
must shall should will would has have had do does did done please page pages user users
password passwords role roles name names save saved submit submitted cancel cancelled
reopen reopened report reports history target targets change changed changes date dates
time times period periods search filter filters show shown new edit delete create created
sign signed login logout home back next previous none unknown required invalid error
errors server manifest checkpoint checkpoints version versions position agenda activity
activities documented documentation protocol served scheduled rescheduled officer officers
download upload uploaded file files photo photos video videos link links week month year
today yesterday tomorrow status enabled disabled active inactive access
""".split())
# Loanwords and names the Indonesian pages use as they are, and the API's own words.
ALLOWED = {"agenda", "protokol", "hash", "token", "api", "log", "audit", "link", "online", "demo", "foto",
           "video", "status", "target", "admin", "pdf", "xlsx", "csv", "exif", "tlog-proof", "rfc", "merkle",
           "ed25519", "sha-256", "c2sp", "iku", "lkjip", "wib", "nip", "no"}


class Text(HTMLParser):
    """The text a reader sees (and the values of buttons and placeholders), not scripts."""

    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code", "pre", "svg"):
            self.skip += 1
        for key, value in attrs:
            if key in ("placeholder", "title", "aria-label", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code", "pre", "svg") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_translations() -> set[str]:
    """The catalog's English sentences that differ from their Indonesian (longer than one
    word: a single word such as 'Target' is both)."""
    with open(CATALOG, "rb") as f:
        catalog = read_po(f)
    out = set()
    for m in catalog:
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        for text in strings:
            plain = re.sub(r"%\(\w+\)s", "", text or "").strip(" .:…")
            if len(plain.split()) > 2 and plain != m.id:
                out.update(part.strip() for part in plain.split("  ") if len(part.split()) > 2)
    return out


def english_in(text: str, translations: set[str]) -> list[str]:
    found = [t for t in translations if t in text]
    words = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'-]+", text)}
    found += sorted((words & ENGLISH) - ALLOWED)
    return found


PAGES = {
    "admin": ["/agenda?period=2021-04", "/activities/new", "/activities/{id}", "/dashboard?period=2021-Q2",
              "/dashboard/diff?period=2021-Q2&from=2021-04-01", "/audit", "/audit?verify=1", "/users",
              "/users/protokol", "/access", "/password", "/targets?year=2021", "/reports/2021-Q2",
              "/reports/2021-Q2/submit", "/import", "/agenda?period=semua-salah", "/activities/{missing}",
              "/dashboard/activities?period=2021-Q2&as_of={as_of}&part=served"],
    "protokol": ["/agenda?period=2021-04", "/activities/{id}", "/users", "/targets?year=2021",
                 "/ucapan", "/ucapan/baru", "/ucapan/{ucapan}", "/ucapan?period=2021-Q2&status=late"],
    "inspektorat": ["/dashboard?period=2021", "/access", "/audit", "/ucapan/{ucapan}"],
}


@pytest.mark.parametrize("role", sorted(PAGES))
def test_every_page_reads_in_indonesian_for_a_browser_asking_for_english(client, login, app, activity_id, role):
    with acting_as("pimpinan"):
        from decimal import Decimal
        app.extensions["iku"].agenda.set_target(indicator="IKU-1", year=2021, target=Decimal("90"), reason="PK 2021")
    with acting_as("protokol"):
        app.extensions["iku"].agenda.record_protocol(UUID(activity_id), officers=["Ani"])
        ucapan = app.extensions["iku"].agenda.request_ucapan(
            kind="duka", recipient="Keluarga Bapak Suroso", relation="keluarga_asn", occasion="Wafat",
            leaders=["bupati"], due_on="2021-04-05").activity_id
        app.extensions["iku"].agenda.deliver_ucapan(ucapan, channel="karangan_bunga", delivered_by=["Ani"],
                                                    delivered_at=wib(2021, 4, 6, 9))
    login(role)
    as_of = app.extensions["iku"].agenda.fix_as_of()[0].isoformat()
    translations = english_translations()
    leftovers = {}
    for path in PAGES[role]:
        url = path.format(id=activity_id, missing="00000000-0000-0000-0000-000000000000", as_of=as_of,
                          ucapan=ucapan)
        response = client.get(url, headers=ENGLISH_BROWSER)
        assert response.status_code < 500, url
        found = english_in(visible(response.get_data(as_text=True)), translations)
        if found:
            leftovers[url] = found
    assert leftovers == {}


def test_the_detector_finds_english_left_in_a_page():
    translations = english_translations()
    assert english_in("Agenda pimpinan · Rabu, 17 Maret 2021", translations) == []
    assert english_in("Data per Senin, 5 April 2021 · log position 4732", translations) == ["position"]
    assert "The two new passwords differ" in english_in("The two new passwords differ.", translations)
    assert wib(2021, 1, 1, 0).year == 2021


def test_the_charts_name_months_and_write_percentages_as_the_office_does(client, login, app, activity_id):
    with acting_as("protokol"):
        app.extensions["iku"].agenda.record_protocol(UUID(activity_id), officers=["Ani"])
    login("pimpinan")
    html = client.get("/dashboard?period=2021-Q2").get_data(as_text=True)
    chart = re.search(r'<figure class="chart">(.*?)</figure>', html, re.S).group(1)
    assert ">Apr 2021<" in chart and ">Jun 2021<" in chart and "2021-04" not in chart
    assert "100,00%" in chart  # a point's value, with a decimal comma
