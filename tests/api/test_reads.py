"""The reads of SPEC §5–§6 through the HTTP API."""
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from domain.context import acting_as
from domain.store.clock import SimulatedClock
from tests.conftest import wib

BASE = "/api/v1/activities"


@pytest.fixture
def post(client, auth):
    def post(path, body, role="admin"):
        response = client.post(path, headers=auth(role), json=body)
        assert response.status_code == 201, response.json
        return response.json

    return post


@pytest.fixture
def schedule(post):
    def schedule(starts_at="2021-03-01T09:00:00+07:00", leaders=("bupati",)):
        return post(BASE, {"title": "Kunjungan Kerja", "leaders": list(leaders), "starts_at": starts_at,
                           "location": "Kecamatan Puger", "scope": "dalam_daerah"})["activity_id"]

    return schedule


@pytest.fixture
def iku(client, auth):
    def iku(query):
        response = client.get(f"/api/v1/iku?{query}", headers=auth("inspektorat"))
        assert response.status_code == 200, response.json
        body = response.json
        return body, {i["code"]: i for i in body["indicators"]}

    return iku


def test_the_iku_answer_has_the_contract_shape(schedule, iku):
    schedule()
    body, by_code = iku("period=2021-Q1")
    assert body["period"] == {"label": "2021-Q1", "start": "2021-01-01", "end": "2021-03-31"}
    assert datetime.fromisoformat(body["as_of"]).utcoffset() is not None
    assert body["leader"] is None
    assert set(by_code) == {"IKU-1", "IKU-2", "PENDUKUNG-1", "TUJUAN-1"}
    for indicator in by_code.values():
        assert {"code", "name", "numerator", "denominator", "percent", "cancelled"} <= set(indicator)
    assert set(by_code["IKU-2"]["by_media"]) == {"media_luar_ruang", "foto", "video"}


def test_served_and_documented_activities_make_the_numerators(schedule, post, iku):
    a, b, c = schedule(), schedule(), schedule()
    post(f"{BASE}/{a}/protocol", {"officers": ["Ani"]})
    post(f"{BASE}/{b}/protocol", {"officers": ["Ani"]})
    post(f"{BASE}/{b}/protocol", {"officers": ["Budi"]})  # twice still counts once
    post(f"{BASE}/{c}/documentation", {"media": "foto"})
    _, by_code = iku("period=2021-Q1")
    assert (by_code["IKU-1"]["numerator"], by_code["IKU-1"]["denominator"], by_code["IKU-1"]["percent"]) == (2, 3, 66.67)
    assert (by_code["IKU-2"]["numerator"], by_code["IKU-2"]["percent"]) == (1, 33.33)


def test_by_media_counts_activities_per_media_and_may_sum_past_the_numerator(schedule, post, iku):
    a = schedule()
    for media, notes in (("foto", None), ("video", None), ("foto", "foto kedua")):
        post(f"{BASE}/{a}/documentation", {"media": media, "notes": notes})
    _, by_code = iku("period=2021-Q1")
    assert by_code["IKU-2"]["numerator"] == 1
    assert by_code["IKU-2"]["by_media"] == {"media_luar_ruang": 0, "foto": 1, "video": 1}


def test_a_cancelled_activity_leaves_the_denominator_and_is_counted_apart(client, auth, schedule, post, iku):
    a, b = schedule(), schedule()
    post(f"{BASE}/{a}/protocol", {"officers": ["Ani"]})
    post(f"{BASE}/{a}/cancellation", {"reason": "batal"})
    _, by_code = iku("period=2021-Q1")
    assert (by_code["IKU-1"]["numerator"], by_code["IKU-1"]["denominator"], by_code["IKU-1"]["cancelled"]) == (0, 1, 1)
    listed = client.get("/api/v1/activities?period=2021-Q1", headers=auth()).json["activities"]
    assert {a["activity_id"]: a["cancelled"] for a in listed} == {a: True, b: False}


def test_a_retracted_entry_no_longer_counts(schedule, post, iku):
    a = schedule()
    version = post(f"{BASE}/{a}/documentation", {"media": "video"})["version"]
    post(f"{BASE}/{a}/retractions", {"version": version, "reason": "salah"})
    _, by_code = iku("period=2021-Q1")
    assert by_code["IKU-2"]["numerator"] == 0
    assert by_code["IKU-2"]["by_media"]["video"] == 0


def test_percent_is_null_when_nothing_is_scheduled_in_the_period(iku):
    _, by_code = iku("period=2030")
    assert by_code["IKU-1"]["percent"] is None and by_code["IKU-1"]["denominator"] == 0


def test_an_activity_counts_on_its_local_date_in_wib(schedule, iku):
    schedule("2021-03-31T16:59:59+00:00")  # 23:59:59 WIB on 31 March
    schedule("2021-03-31T17:00:00+00:00")  # 00:00 WIB on 1 April
    assert iku("period=2021-Q1")[1]["IKU-1"]["denominator"] == 1
    assert iku("period=2021-04-01..2021-04-01")[1]["IKU-1"]["denominator"] == 1


def test_a_reschedule_across_a_quarter_moves_the_activity(schedule, post, iku):
    a = schedule("2021-03-31T22:00:00+07:00")
    post(f"{BASE}/{a}/reschedule", {"starts_at": "2021-04-01T08:00:00+07:00", "reason": "mundur"})
    assert iku("period=2021-Q1")[1]["IKU-1"]["denominator"] == 0
    assert iku("period=2021-Q2")[1]["IKU-1"]["denominator"] == 1


def test_the_leader_filter_counts_activities_whose_leaders_include_that_leader(schedule, iku):
    schedule(leaders=("bupati",))
    schedule(leaders=("wakil_bupati",))
    schedule(leaders=("bupati", "wakil_bupati"))
    assert iku("period=2021&leader=bupati")[1]["IKU-1"]["denominator"] == 2
    body, by_code = iku("period=2021&leader=wakil_bupati")
    assert by_code["IKU-1"]["denominator"] == 2 and body["leader"] == "wakil_bupati"
    assert iku("period=2021")[1]["IKU-1"]["denominator"] == 3


def test_as_of_answers_what_was_known_then(schedule, post, iku):
    a = schedule()
    before_service = iku("period=2021-Q1")[0]["as_of"]
    post(f"{BASE}/{a}/protocol", {"officers": ["Ani"]})
    assert iku(f"period=2021-Q1&as_of={quote(before_service)}")[1]["IKU-1"]["numerator"] == 0
    assert iku("period=2021-Q1")[1]["IKU-1"]["numerator"] == 1


def test_a_plus_in_the_as_of_offset_may_arrive_as_a_space(schedule, iku):
    schedule()
    now = datetime.now(UTC).astimezone(wib(2021, 1, 1).tzinfo).isoformat()
    body, _ = iku(f"period=2021-Q1&as_of={now.replace('+', ' ')}")  # unencoded '+' → space
    assert datetime.fromisoformat(body["as_of"]) == datetime.fromisoformat(now)


def test_an_as_of_date_alone_means_the_end_of_that_local_day(iku):
    body, _ = iku("period=2021&as_of=2021-04-05")
    assert datetime.fromisoformat(body["as_of"]) == datetime(2021, 4, 5, 16, 59, 59, 999999, tzinfo=UTC)


def test_an_as_of_in_the_future_is_answered_as_of_the_present(iku):
    body, _ = iku("period=2021&as_of=2999-01-01T00:00:00Z")
    assert datetime.fromisoformat(body["as_of"]) < datetime.now(UTC) + timedelta(seconds=5)


def test_asking_again_with_the_answered_as_of_gives_the_same_figures(schedule, post, iku):
    a = schedule()
    first, _ = iku("period=2021-Q1")
    post(f"{BASE}/{a}/protocol", {"officers": ["Ani"]})
    again, _ = iku(f"period=2021-Q1&as_of={quote(first['as_of'])}")
    assert again["indicators"] == first["indicators"]


def test_an_activity_reads_as_it_was_known_at_an_instant(client, auth, schedule, post):
    a = schedule()
    first = client.get(f"{BASE}/{a}", headers=auth()).json
    post(f"{BASE}/{a}/reschedule", {"starts_at": "2021-03-05T09:00:00+07:00", "reason": "x"})
    then = client.get(f"{BASE}/{a}?as_of={quote(first['as_of'])}", headers=auth()).json
    now = client.get(f"{BASE}/{a}", headers=auth()).json
    assert (then["version"], then["starts_at"]) == (1, "2021-03-01T09:00:00+07:00")
    assert (now["version"], now["starts_at"]) == (2, "2021-03-05T09:00:00+07:00")


def test_the_listing_shows_the_activities_of_a_period_with_their_state(client, auth, schedule, post):
    a = schedule()
    schedule("2021-05-01T09:00:00+07:00")
    post(f"{BASE}/{a}/documentation", {"media": "foto"})
    body = client.get(f"{BASE}?period=2021-Q1", headers=auth("pimpinan")).json
    assert [x["activity_id"] for x in body["activities"]] == [a]
    listed = body["activities"][0]
    assert (listed["documented"], listed["media"], listed["served"], listed["cancelled"]) == (True, ["foto"], False, False)
    assert listed["starts_at"] == "2021-03-01T09:00:00+07:00"


def test_the_indicator_definitions_are_served_in_the_decrees_words(client, auth):
    body = client.get("/api/v1/indicators", headers=auth("inspektorat")).json
    first = body["indicators"][0]
    assert first["code"] == "IKU-1"
    assert first["penanggung_jawab"] == "Sub Bagian Protokol"
    assert first["sumber_data"] == "Data dan Laporan Pengumpulan Laporan Kinerja PD"


def test_every_answer_of_a_demo_database_says_its_times_are_simulated(database):
    from api import create_app
    from api.bootstrap import Services

    svc = Services(database, "Asia/Jakarta")
    svc.agenda.mark_as_demo()
    svc.agenda.use_clock(SimulatedClock(wib(2021, 1, 4)))
    with acting_as("demo"):
        svc.agenda.schedule(title="Rapat", leaders=["bupati"], starts_at=wib(2021, 1, 5, 9),
                            location="Pendopo", scope="dalam_daerah")
    token = svc.users.create("inspektur", "inspektorat")
    svc.close()
    app = create_app({"IKU_DATABASE": database, "IKU_TIMEZONE": "Asia/Jakarta"})
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    for path in ("/api/v1/iku?period=2021", f"{BASE}?period=2021", "/api/v1/indicators"):
        response = client.get(path, headers=headers)
        assert response.headers["IKU-Recorded-Times"] == "simulated"
        assert response.json["recorded_times"] == "simulated"
    assert client.get("/api/v1/iku?period=x", headers=headers).headers["IKU-Recorded-Times"] == "simulated"
    app.extensions["iku"].close()


def test_a_real_database_does_not_claim_simulated_times(client, auth):
    response = client.get("/api/v1/iku?period=2021", headers=auth())
    assert "IKU-Recorded-Times" not in response.headers
    assert "recorded_times" not in response.json


def test_explain_lists_the_activities_behind_each_number_with_the_events_that_put_them_there(client, auth, schedule, post, iku):
    a, b = schedule(), schedule("2021-04-01T10:00:00+07:00")
    post(f"{BASE}/{b}/reschedule", {"starts_at": "2021-03-31T10:00:00+07:00", "reason": "maju"})
    served = post(f"{BASE}/{a}/protocol", {"officers": ["Ani"]})
    wrong = post(f"{BASE}/{b}/protocol", {"officers": ["Budi"]})
    post(f"{BASE}/{b}/retractions", {"version": wrong["version"], "reason": "salah"})
    body = client.get("/api/v1/iku/explain?period=2021-Q1&indicator=IKU-1", headers=auth("inspektorat")).json
    figures = iku(f"period=2021-Q1&as_of={quote(body['as_of'])}")[1]
    assert (body["numerator"], body["denominator"]) == (figures["IKU-1"]["numerator"], figures["IKU-1"]["denominator"]) == (1, 2)
    placed = {x["activity_id"]: [e["type"] for e in x["events"]] for x in body["denominator_activities"]}
    assert placed == {a: ["ActivityScheduled"], b: ["ActivityScheduled", "ActivityRescheduled"]}
    [counted] = body["numerator_activities"]
    assert counted["activity_id"] == a and [e["version"] for e in counted["events"]] == [served["version"]]


def test_explain_refuses_an_unknown_indicator(client, auth):
    response = client.get("/api/v1/iku/explain?period=2021&indicator=IKU-9", headers=auth())
    assert response.status_code == 422 and "indicator" in response.json["errors"]["query"]


def test_diff_gives_both_figures_and_the_events_that_changed_each_contribution(client, auth, schedule, post, iku):
    late, moved, cancelled, untouched = schedule(), schedule(), schedule(), schedule()
    post(f"{BASE}/{cancelled}/documentation", {"media": "foto"})
    submitted = iku("period=2021-Q1")[0]["as_of"]
    served = post(f"{BASE}/{late}/protocol", {"officers": ["Ani"]})  # a late entry
    post(f"{BASE}/{moved}/reschedule", {"starts_at": "2021-04-02T09:00:00+07:00", "reason": "mundur"})
    post(f"{BASE}/{cancelled}/cancellation", {"reason": "batal"})
    body = client.get(f"/api/v1/iku/diff?period=2021-Q1&from={quote(submitted)}", headers=auth("inspektorat")).json
    assert body["before"]["as_of"] == submitted
    before = {i["code"]: i for i in body["before"]["indicators"]}
    after = {i["code"]: i for i in body["after"]["indicators"]}
    assert (before["IKU-1"]["denominator"], after["IKU-1"]["denominator"]) == (4, 2)
    assert (before["IKU-1"]["numerator"], after["IKU-1"]["numerator"]) == (0, 1)
    assert (before["IKU-2"]["numerator"], after["IKU-2"]["numerator"]) == (1, 0)
    changes = {c["activity_id"]: c for c in body["changes"]}
    assert set(changes) == {late, moved, cancelled}  # the untouched one is not listed
    assert untouched not in changes
    assert [e["version"] for e in changes[late]["events"]] == [served["version"]]
    assert changes[late]["before"]["served"] is False and changes[late]["after"]["served"] is True
    assert [e["type"] for e in changes[moved]["events"]] == ["ActivityRescheduled"]
    assert changes[moved]["after"] == {"counted": False, "cancelled": False, "served": False,
                                       "documented": False, "media": []}
    assert [e["type"] for e in changes[cancelled]["events"]] == ["ActivityCancelled"]
    assert changes[cancelled]["after"]["cancelled"] is True


def test_diff_refuses_from_after_to(client, auth):
    response = client.get("/api/v1/iku/diff?period=2021&from=2021-05-01&to=2021-04-01", headers=auth())
    assert response.status_code == 422 and "from" in response.json["errors"]["query"]


def test_a_target_gives_capaian_as_known_at_each_instant(client, auth, schedule, post, iku):
    a, b = schedule(), schedule()
    post(f"{BASE}/{a}/protocol", {"officers": ["Ani"]})
    before_target = iku("period=2021-Q1")[0]["as_of"]
    response = client.post("/api/v1/targets", headers=auth("pimpinan"),
                           json={"indicator": "IKU-1", "year": 2021, "target": 80})
    assert response.status_code == 201 and response.json["version"] == 1
    figures = iku("period=2021-Q1")[1]
    assert (figures["IKU-1"]["percent"], figures["IKU-1"]["target"], figures["IKU-1"]["capaian"]) == (50.0, 80.0, 62.5)
    assert figures["IKU-2"]["target"] is None and figures["IKU-2"]["capaian"] is None
    earlier = iku(f"period=2021-Q1&as_of={quote(before_target)}")[1]
    assert earlier["IKU-1"]["target"] is None  # not yet set then
    assert iku("period=2020-12-01..2021-01-31")[1]["IKU-1"]["target"] is None  # across years: none
    assert figures["IKU-1"]["denominator"] == 2 and b != a  # b, not served, halves IKU-1


def test_changing_a_target_needs_a_reason(client, auth, log):
    assert client.post("/api/v1/targets", headers=auth("admin"),
                       json={"indicator": "IKU-2", "year": 2021, "target": 90}).status_code == 201
    before = log()
    response = client.post("/api/v1/targets", headers=auth("admin"),
                           json={"indicator": "IKU-2", "year": 2021, "target": 85})
    assert response.status_code == 422 and "reason" in response.json["errors"]["json"]
    assert log() == before
    changed = client.post("/api/v1/targets", headers=auth("admin"),
                          json={"indicator": "IKU-2", "year": 2021, "target": 85, "reason": "Revisi Perjanjian Kinerja"})
    assert changed.status_code == 201 and changed.json["version"] == 2
    listed = client.get("/api/v1/targets?year=2021", headers=auth("inspektorat")).json["targets"]
    assert {t["indicator"]: t["target"] for t in listed} == {"IKU-1": None, "IKU-2": 85.0, "PENDUKUNG-1": None, "TUJUAN-1": None}


@pytest.mark.parametrize(("body", "field"), [
    ({"indicator": "IKU-9", "year": 2021, "target": 80}, "indicator"),
    ({"indicator": "IKU-1", "year": 2021, "target": 101}, "target"),
    ({"indicator": "IKU-1", "year": 2021, "target": -1}, "target"),
    ({"indicator": "IKU-1", "year": "2021", "target": 80}, "year"),
])
def test_a_bad_target_is_422_and_appends_nothing(client, auth, log, body, field):
    response = client.post("/api/v1/targets", headers=auth("pimpinan"), json=body)
    assert response.status_code == 422 and field in response.json["errors"]["json"]
    assert log() == []


@pytest.mark.parametrize("role", ["protokol", "dokumentasi", "inspektorat"])
def test_only_pimpinan_and_admin_set_targets(client, auth, log, role):
    response = client.post("/api/v1/targets", headers=auth(role), json={"indicator": "IKU-1", "year": 2021, "target": 80})
    assert response.status_code == 403 and log() == []


def test_a_triwulan_also_gives_the_year_to_date_figure_as_sums_not_an_average(schedule, post, iku):
    q1 = [schedule("2021-02-01T09:00:00+07:00") for _ in range(4)]
    q2 = [schedule("2021-05-01T09:00:00+07:00")]
    post(f"{BASE}/{q1[0]}/protocol", {"officers": ["Ani"]})
    post(f"{BASE}/{q2[0]}/protocol", {"officers": ["Ani"]})
    body, figures = iku("period=2021-Q2")
    assert (figures["IKU-1"]["numerator"], figures["IKU-1"]["denominator"], figures["IKU-1"]["percent"]) == (1, 1, 100.0)
    ytd = {i["code"]: i for i in body["year_to_date"]["indicators"]}
    assert body["year_to_date"]["period"] == {"label": "2021-01-01..2021-06-30", "start": "2021-01-01", "end": "2021-06-30"}
    assert (ytd["IKU-1"]["numerator"], ytd["IKU-1"]["denominator"], ytd["IKU-1"]["percent"]) == (2, 5, 40.0)  # not (25 + 100) / 2
    assert "year_to_date" not in iku("period=2021-05")[0]
