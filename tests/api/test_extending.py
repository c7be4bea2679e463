"""Where a new indicator, a new event type, a new page and a new store go (docs/DESIGN.md,
"The map of the house"): each done here, in a few lines, and seen to work end to end."""
from pathlib import Path

import pytest
from flask import Blueprint, g, render_template_string

from api import create_app
from api.config import Config
from api.service_layer import queries
from api.users.recorders import RECORDERS as USER_RECORDERS
from api.users.recorders import SQLiteUserRecorder
from api.web.common import page
from domain.context import acting_as
from domain.model import Activity, event_types
from domain.store import stores
from domain.store.sqlite import IKUSQLiteFactory
from projections import fold, projector
from projections.calculator import ReferenceCalculator
from projections.facts import FACTS, Fact
from projections.indicators import INDICATORS, Indicator
from projections.periods import Period
from projections.view import ActivityView
from tests.api.test_pages import token_of
from tests.conftest import wib

Q1 = Period.parse("2021-Q1")

# A new indicator: a fact (if none fits) and a definition. ------------------------------------

BOTH = Fact("served_and_documented", "Dilayani dan didokumentasikan", "served <> 0 AND media <> 0",
            row=lambda r: r["served"] != 0 and r["media"] != 0,
            holds=lambda protocol, media: bool(protocol) and bool(media),
            counts=lambda kind, data: kind in ("ProtocolServed", "Documented"))
IKU_3 = dict(code="IKU-3", kinerja_utama="Terlayani dan terdokumentasikannya kegiatan pimpinan",
             indikator="Persentase kegiatan yang dilayani dan didokumentasikan",
             formula="Jumlah kegiatan yang dilayani dan didokumentasikan / Jumlah kegiatan × 100%",
             numerator_label="Jumlah kegiatan yang dilayani dan didokumentasikan",
             denominator_label="Jumlah kegiatan yang diagendakan", penanggung_jawab="Kepala Bagian",
             sumber_data="Uji", numerator_fact="served_and_documented")


@pytest.fixture
def third_indicator(monkeypatch):
    monkeypatch.setitem(FACTS, BOTH.name, BOTH)
    return INDICATORS + (Indicator(**IKU_3),)


def make_app(database, **config):
    app = create_app(Config.from_environment(database=database, timezone="Asia/Jakarta", **config))
    app.config["TESTING"] = True
    return app


def record_q1(services, n=3):
    """n activities; all served, the first also documented."""
    ids = []
    with acting_as("protokol"):
        for i in range(n):
            written = services.agenda.schedule(title=f"Rapat {i}", leaders=["bupati"], location="Pendopo",
                                               scope="dalam_daerah", starts_at=wib(2021, 3, 1 + i, 9))
            services.agenda.record_protocol(written.activity_id, officers=["Ani"])
            ids.append(written.activity_id)
        services.agenda.record_documentation(ids[0], media="foto")
    return ids


def test_a_third_indicator_is_a_definition_seen_in_the_api_explain_the_reference_and_the_dashboard(
        database, third_indicator):
    app = make_app(database, indicators=third_indicator)
    services = app.extensions["iku"]
    try:
        record_q1(services)
        client = app.test_client()
        token = services.users.create("kabag", "admin")
        headers = {"Authorization": f"Bearer {token}"}
        figures = {f["code"]: f for f in client.get("/api/v1/iku?period=2021-Q1", headers=headers).json["indicators"]}
        assert (figures["IKU-3"]["numerator"], figures["IKU-3"]["denominator"], figures["IKU-3"]["percent"]) == (1, 3, 33.33)
        explained = client.get("/api/v1/iku/explain?period=2021-Q1&indicator=IKU-3", headers=headers).json
        assert explained["numerator"] == 1 and len(explained["numerator_activities"][0]["events"]) == 2
        answer = services.calculator.compute(Q1)
        reference = ReferenceCalculator(services.agenda, services.zone, third_indicator).compute(Q1, answer.as_of)
        assert [(f.code, f.numerator, f.denominator) for f in reference.figures] == [
            (f.code, f.numerator, f.denominator) for f in answer.figures]
        services.users.set_password("kabag", "kata-sandi-panjang")
        login = client.get("/login").get_data(as_text=True)
        client.post("/login", data={"csrf_token": token_of(login), "name": "kabag", "password": "kata-sandi-panjang"})
        dashboard = client.get("/dashboard?period=2021-Q1").get_data(as_text=True)
        assert 'data-code="IKU-3">33,33%<' in dashboard and ">IKU-3<" in dashboard  # the card and the chart
    finally:
        services.close()


# A new event type: its class in the domain, and the fold's decision about it. ----------------


class Noted(Activity.Event):  # domain/model.py: the event (and a command that triggers it)
    text: str

    def apply(self, activity):
        activity.notes = self.text


def test_a_new_event_type_is_recorded_folded_as_irrelevant_and_changes_no_figure(app, monkeypatch):
    monkeypatch.setattr(fold, "IRRELEVANT", fold.IRRELEVANT | {"Noted"})  # projections/fold.py
    assert fold.undecided(event_types()) == set()
    services = app.extensions["iku"]
    ids = record_q1(services)
    before = services.calculator.compute(Q1).figures
    with acting_as("protokol"):
        activity = services.agenda.repository.get(ids[1])
        activity.trigger_event(Noted, text="Tamu dari provinsi")
        services.agenda.save(activity)
    after = services.calculator.compute(Q1)
    assert [(f.numerator, f.denominator) for f in after.figures] == [(f.numerator, f.denominator) for f in before]
    listed = {a.activity_id: a for a in queries.activities(services, _reader(), Q1, None, None).activities}
    assert listed[ids[1]].version == 3  # the view followed past the new event
    assert services.agenda.activity_as_of(ids[1], after.as_of).notes == "Tamu dari provinsi"


def _reader():
    from api.users import User

    return User("inspektur", "inspektorat")


# A new page: a route over a service-layer query, behind `page()`. ----------------------------


def test_a_new_page_is_a_route_over_a_query(database, monkeypatch):
    extra = Blueprint("extra", __name__)

    @extra.get("/ringkasan")
    @page()
    def summary():  # api/web/<area>.py, on the `web` blueprint
        result = queries.iku(app.extensions["iku"], g.user, Q1)
        return render_template_string("{% for f in figures %}{{ f.code }}={{ f.numerator }};{% endfor %}",
                                      figures=result.indicators)

    app = make_app(database)
    app.register_blueprint(extra)
    services = app.extensions["iku"]
    try:
        record_q1(services)
        client = app.test_client()
        assert client.get("/ringkasan").status_code == 302  # signed in first
        services.users.create("inspektur", "inspektorat")
        services.users.set_password("inspektur", "kata-sandi-panjang")
        login = client.get("/login").get_data(as_text=True)
        client.post("/login", data={"csrf_token": token_of(login), "name": "inspektur", "password": "kata-sandi-panjang"})
        assert client.get("/ringkasan").get_data(as_text=True) == "IKU-1=3;IKU-2=1;PENDUKUNG-1=0;TUJUAN-1=4;"
    finally:
        services.close()


# A new store: what opens it, backs it up and restores it; its factory's name; its view and
# its users' tables. (Here a SQLite file named by a sqlite:// URL, to show the places.) ------


class URLStoreFactory(IKUSQLiteFactory):  # domain/store/<store>.py
    store = "sqlite-url"


class URLStore(stores.SQLiteStore):  # domain/store/stores.py
    name = "sqlite-url"

    @staticmethod
    def matches(database):
        return database.startswith("sqlite://")

    @staticmethod
    def path(database):
        return database.removeprefix("sqlite://")

    def persistence_env(self, database, *, readonly=False):
        env = super().persistence_env(self.path(database), readonly=readonly)
        return {**env, "PERSISTENCE_MODULE": f"{__name__}:URLStoreFactory"}

    def backup(self, database, target):
        super().backup(self.path(database), target)

    def restore(self, backup_file, database, *, force):
        super().restore(backup_file, self.path(database), force=force)


def test_a_new_store_goes_in_four_places_and_the_service_runs_on_it(tmp_path, monkeypatch):
    monkeypatch.setattr(stores, "STORES", (URLStore(), *stores.STORES))
    monkeypatch.setitem(projector.VIEWS, "sqlite-url", ActivityView)  # projections/projector.py
    monkeypatch.setitem(USER_RECORDERS, "sqlite-url", SQLiteUserRecorder)  # api/users/recorders.py
    database = f"sqlite://{tmp_path / 'url.sqlite3'}"
    app = make_app(database)
    services = app.extensions["iku"]
    try:
        assert services.agenda.factory.store == "sqlite-url"
        record_q1(services)
        assert [f.numerator for f in services.calculator.compute(Q1).figures] == [3, 1, 0, 4]
        assert services.verify().ok
        stores.backup(database, str(tmp_path / "copy.sqlite3"))
        assert Path(tmp_path / "copy.sqlite3").stat().st_size > 0
    finally:
        services.close()
