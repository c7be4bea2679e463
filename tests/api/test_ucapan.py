"""Issue 14: the ucapan (condolences and congratulations) as events, with the activities'
rules: immutable events with the server's recorded_at and actor, corrections by later
events with a reason, as-of reads, If-Match and Idempotency-Key, field-level 422s, the
roles — and nothing appended on bad input."""
from datetime import datetime, timedelta, timezone

import pytest

BASE = "/api/v1/ucapan"
WIB = timezone(timedelta(hours=7))
REQUEST = {"kind": "duka", "recipient": "Keluarga almarhum H. Abdul Rahman", "relation": "tokoh_masyarakat",
           "occasion": "Wafatnya H. Abdul Rahman, tokoh masyarakat Kecamatan Ambulu",
           "leaders": ["bupati"], "due_on": "2021-03-02"}
DELIVERY = {"channel": "karangan_bunga", "delivered_by": ["Ahmad Fauzi"],
            "delivered_at": "2021-03-02T10:00:00+07:00"}


@pytest.fixture
def ucapan(client, auth):
    response = client.post(BASE, headers=auth("protokol"), json=REQUEST)
    assert response.status_code == 201, response.json
    return response.json["ucapan_id"]


def test_a_request_answers_the_new_ucapan_and_reads_back_as_known(client, auth, ucapan):
    state = client.get(f"{BASE}/{ucapan}", headers=auth("inspektorat")).json
    assert {k: state[k] for k in REQUEST} == REQUEST
    assert (state["version"], state["cancelled"], state["delivered"], state["on_time"]) == (1, False, False, False)
    history = client.get(f"{BASE}/{ucapan}/history", headers=auth("pimpinan")).json["events"]
    assert [(e["type"], e["actor"]) for e in history] == [("UcapanRequested", "protokol.user")]
    assert datetime.fromisoformat(history[0]["recorded_at"]).utcoffset() is not None


def test_a_delivery_on_the_due_date_is_on_time_and_one_after_it_is_late(client, auth, ucapan):
    response = client.post(f"{BASE}/{ucapan}/delivery", headers=auth("protokol"), json=DELIVERY)
    assert response.status_code == 201 and response.json["version"] == 2
    assert response.headers["ETag"] == '"2"' and response.headers["Location"] == f"{BASE}/{ucapan}"
    state = client.get(f"{BASE}/{ucapan}", headers=auth()).json
    assert (state["delivered"], state["delivered_on"], state["on_time"]) == (True, "2021-03-02", True)
    late = client.post(BASE, headers=auth("protokol"), json=REQUEST).json["ucapan_id"]
    # 2 March 23:30 UTC is 3 March 06:30 WIB: a day late, by the office's own date
    client.post(f"{BASE}/{late}/delivery", headers=auth("protokol"),
                json={**DELIVERY, "delivered_at": "2021-03-02T23:30:00Z"})
    state = client.get(f"{BASE}/{late}", headers=auth()).json
    assert (state["delivered_on"], state["on_time"]) == ("2021-03-03", False)


def test_a_delivery_sent_again_is_answered_with_the_first_and_appends_nothing(client, auth, ucapan, log):
    first = client.post(f"{BASE}/{ucapan}/delivery", headers=auth("protokol"), json=DELIVERY)
    before = log()
    again = client.post(f"{BASE}/{ucapan}/delivery", headers=auth("protokol"), json=DELIVERY)
    assert again.status_code == 200 and again.headers["IKU-Already-Recorded"] == "true"
    assert again.json["version"] == first.json["version"]
    assert log() == before


def test_an_idempotency_key_replays_the_first_answer_and_refuses_another_body(client, auth, log):
    headers = auth("protokol", **{"Idempotency-Key": "ucapan-1"})
    first = client.post(BASE, headers=headers, json=REQUEST)
    before = log()
    again = client.post(BASE, headers=headers, json=REQUEST)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json["ucapan_id"] == first.json["ucapan_id"] and log() == before
    other = client.post(BASE, headers=headers, json={**REQUEST, "kind": "selamat"})
    assert other.status_code == 422 and "Idempotency-Key" in other.json["errors"]["headers"]
    assert log() == before


def test_if_match_with_a_past_version_is_a_conflict_and_appends_nothing(client, auth, ucapan, log):
    client.post(f"{BASE}/{ucapan}/delivery", headers=auth("protokol"), json=DELIVERY)
    before = log()
    response = client.post(f"{BASE}/{ucapan}/delivery", headers=auth("protokol", **{"If-Match": '"1"'}),
                           json={**DELIVERY, "channel": "surat"})
    assert response.status_code == 409 and log() == before
    assert client.post(f"{BASE}/{ucapan}/delivery", headers=auth("protokol", **{"If-Match": '"2"'}),
                       json={**DELIVERY, "channel": "surat"}).status_code == 201


@pytest.mark.parametrize(("body", "field"), [
    ({**REQUEST, "kind": "ulang_tahun"}, "kind"),
    ({**REQUEST, "relation": "tetangga"}, "relation"),
    ({**REQUEST, "recipient": "   "}, "recipient"),
    ({**REQUEST, "occasion": ""}, "occasion"),
    ({**REQUEST, "leaders": []}, "leaders"),
    ({**REQUEST, "leaders": ["camat"]}, "leaders"),
    ({**REQUEST, "leaders": ["bupati", "bupati"]}, "leaders"),
    ({**REQUEST, "due_on": "2021-02-30"}, "due_on"),
    ({**REQUEST, "due_on": "0021-03-01"}, "due_on"),
    ({k: v for k, v in REQUEST.items() if k != "recipient"}, "recipient"),
    ({**REQUEST, "recorded_at": "2020-01-01T00:00:00Z"}, "recorded_at"),
    ({**REQUEST, "recipient": "\ud800"}, "recipient"),
])
def test_a_bad_request_is_a_field_level_422_and_appends_nothing(client, auth, log, body, field):
    before = log()
    response = client.post(BASE, headers=auth("protokol"), json=body)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]["json"]
    assert log() == before


@pytest.mark.parametrize(("body", "field"), [
    ({**DELIVERY, "channel": "merpati"}, "channel"),
    ({**DELIVERY, "delivered_by": []}, "delivered_by"),
    ({**DELIVERY, "delivered_by": ["\u200b"]}, "delivered_by"),
    ({**DELIVERY, "delivered_at": "2021-03-02T10:00:00"}, "delivered_at"),
    ({**DELIVERY, "delivered_at": "2999-01-01T10:00:00+07:00"}, "delivered_at"),
    ({**DELIVERY, "evidence": ["a" * 64]}, "evidence"),
    ({**DELIVERY, "evidence": ["not-a-hash"]}, "evidence"),
])
def test_a_bad_delivery_is_a_field_level_422_and_appends_nothing(client, auth, ucapan, log, body, field):
    before = log()
    response = client.post(f"{BASE}/{ucapan}/delivery", headers=auth("protokol"), json=body)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]["json"]
    assert log() == before


@pytest.mark.parametrize("role", ["dokumentasi", "pimpinan", "inspektorat"])
def test_only_protokol_and_admin_write_and_a_refusal_comes_before_validation(client, auth, ucapan, log, role):
    before = log()
    assert client.post(BASE, headers=auth(role), json=REQUEST).status_code == 403
    assert client.post(BASE, headers=auth(role), json={"kind": "?"}).status_code == 403
    for path, body in (("delivery", DELIVERY), ("cancellation", {"reason": "x"}),
                       ("retractions", {"version": 1, "reason": "x"})):
        assert client.post(f"{BASE}/{ucapan}/{path}", headers=auth(role), json=body).status_code == 403
    assert client.get(f"{BASE}/{ucapan}", headers=auth(role)).status_code == 200
    assert log() == before
    assert client.post(BASE, json=REQUEST).status_code == 401
    assert client.post(BASE, headers=auth("admin"), json=REQUEST).status_code == 201


def test_a_cancelled_ucapan_takes_no_delivery_and_a_delivered_one_no_cancellation(client, auth, ucapan, log):
    delivered = client.post(BASE, headers=auth("protokol"), json=REQUEST).json["ucapan_id"]
    client.post(f"{BASE}/{delivered}/delivery", headers=auth("protokol"), json=DELIVERY)
    before = log()
    refused = client.post(f"{BASE}/{delivered}/cancellation", headers=auth("protokol"), json={"reason": "x"})
    assert refused.status_code == 409 and "retract the delivery first" in refused.json["message"]
    assert log() == before
    assert client.post(f"{BASE}/{ucapan}/cancellation", headers=auth("protokol"),
                       json={"reason": "Keluarga menolak karangan bunga"}).status_code == 201
    before = log()
    assert client.post(f"{BASE}/{ucapan}/delivery", headers=auth("protokol"), json=DELIVERY).status_code == 409
    assert client.post(f"{BASE}/{ucapan}/cancellation", headers=auth("protokol"),
                       json={"reason": "lagi"}).status_code == 409
    assert client.post(f"{BASE}/{ucapan}/cancellation", headers=auth("protokol"),
                       json={"reason": "  "}).status_code == 422
    assert log() == before
    state = client.get(f"{BASE}/{ucapan}", headers=auth()).json
    assert (state["cancelled"], state["cancel_reason"]) == (True, "Keluarga menolak karangan bunga")


def test_a_delivery_recorded_in_error_is_retracted_with_a_reason_and_kept_in_history(client, auth, ucapan, log):
    version = client.post(f"{BASE}/{ucapan}/delivery", headers=auth("protokol"), json=DELIVERY).json["version"]
    assert client.post(f"{BASE}/{ucapan}/retractions", headers=auth("protokol"),
                       json={"version": version, "reason": "Salah ucapan"}).status_code == 201
    state = client.get(f"{BASE}/{ucapan}", headers=auth()).json
    assert (state["delivered"], state["on_time"]) == (False, False)
    assert state["deliveries"][0]["retracted"] is True
    before = log()
    for wrong in (version, 1, 99):  # already retracted; the request; no such version
        response = client.post(f"{BASE}/{ucapan}/retractions", headers=auth("protokol"),
                               json={"version": wrong, "reason": "x"})
        assert response.status_code == 409, (wrong, response.json)
    assert log() == before
    # once retracted, the ucapan may be cancelled
    assert client.post(f"{BASE}/{ucapan}/cancellation", headers=auth("protokol"),
                       json={"reason": "Tidak jadi"}).status_code == 201
    events = client.get(f"{BASE}/{ucapan}/history", headers=auth()).json["events"]
    assert [e["type"] for e in events] == ["UcapanRequested", "UcapanDelivered", "DeliveryRetracted",
                                           "UcapanCancelled"]


def test_an_ucapan_as_known_before_its_delivery_stays_undelivered(client, auth, ucapan):
    requested_at = client.get(f"{BASE}/{ucapan}/history", headers=auth()).json["events"][0]["recorded_at"]
    client.post(f"{BASE}/{ucapan}/delivery", headers=auth("protokol"), json=DELIVERY)
    then = client.get(f"{BASE}/{ucapan}", headers=auth(), query_string={"as_of": requested_at}).json
    assert (then["version"], then["delivered"]) == (1, False)
    assert client.get(f"{BASE}/{ucapan}", headers=auth()).json["delivered"] is True


def test_an_unknown_id_or_another_records_id_is_404(client, auth, activity, ucapan, log):
    before = log()
    assert client.get(f"{BASE}/{activity}", headers=auth()).status_code == 404
    assert client.get(f"{BASE}/00000000-0000-0000-0000-000000000000", headers=auth()).status_code == 404
    assert client.post(f"{BASE}/{activity}/delivery", headers=auth("protokol"), json=DELIVERY).status_code == 404
    assert client.get(f"/api/v1/activities/{ucapan}", headers=auth()).status_code == 404
    assert client.post(f"/api/v1/activities/{ucapan}/protocol", headers=auth("protokol"),
                       json={"officers": ["Ani"]}).status_code == 404
    assert client.get(f"/api/v1/activities/{ucapan}/history", headers=auth()).status_code == 404
    assert log() == before


def test_the_listing_of_a_period_selects_by_due_date_status_and_leader_as_known_then(client, auth):
    def request(due_on, leaders=("bupati",)):
        return client.post(BASE, headers=auth("protokol"),
                           json={**REQUEST, "due_on": due_on, "leaders": list(leaders)}).json["ucapan_id"]

    on_time, late, open_, cancelled = (request("2021-03-02"), request("2021-03-05"),
                                       request("2021-03-31", ("wakil_bupati",)), request("2021-03-10"))
    request("2021-04-01")  # another quarter
    before_late = client.post(f"{BASE}/{on_time}/delivery", headers=auth("protokol"),
                              json=DELIVERY).json["recorded_at"]
    client.post(f"{BASE}/{late}/delivery", headers=auth("protokol"),
                json={**DELIVERY, "delivered_at": "2021-03-06T09:00:00+07:00"})
    client.post(f"{BASE}/{cancelled}/cancellation", headers=auth("protokol"), json={"reason": "batal"})

    def listed(**query):
        body = client.get(BASE, headers=auth("inspektorat"), query_string={"period": "2021-Q1", **query}).json
        return [u["ucapan_id"] for u in body["ucapan"]], body

    ids, body = listed()
    assert ids == [on_time, late, cancelled, open_] and body["total"] == 4  # by due date
    assert listed(status="delivered")[0] == [on_time, late]
    assert listed(status="late")[0] == [late]
    assert listed(status="open")[0] == [open_]
    assert listed(status="overdue")[0] == [open_]  # due 31 March 2021: long past
    assert listed(status="cancelled")[0] == [cancelled]
    assert listed(leader="wakil_bupati")[0] == [open_]
    assert listed(status="late", as_of=before_late)[0] == []  # its delivery recorded later
    row = body["ucapan"][1]
    assert (row["due_on"], row["delivered_on"], row["on_time"], row["overdue"]) == (
        "2021-03-05", "2021-03-06", False, False)
    assert client.get(BASE, headers=auth(), query_string={"period": "2021-Q1", "status": "lost"}).status_code == 422
    assert client.get(BASE, headers=auth(), query_string={"period": "2021-Q5"}).status_code == 422
    assert client.get(BASE, query_string={"period": "2021-Q1"}).status_code == 401


def test_the_supporting_and_the_goal_indicator_are_in_the_iku_answer(client, auth, activity):
    """PENDUKUNG-1 counts the ucapan due in the period delivered on time; TUJUAN-1 sums the
    three services: (served + documented + on time) / (2 × activities + ucapan)."""
    client.post(f"/api/v1/activities/{activity}/protocol", headers=auth("protokol"), json={"officers": ["Ani"]})
    on_time = client.post(BASE, headers=auth("protokol"), json=REQUEST).json["ucapan_id"]
    client.post(BASE, headers=auth("protokol"), json=REQUEST)  # not delivered
    client.post(f"{BASE}/{on_time}/delivery", headers=auth("protokol"), json=DELIVERY)
    body = client.get("/api/v1/iku", headers=auth("pimpinan"), query_string={"period": "2021-Q1"}).json
    by_code = {f["code"]: f for f in body["indicators"]}
    assert [(c, f["kind"], f["numerator"], f["denominator"], f["percent"]) for c, f in by_code.items()] == [
        ("IKU-1", "iku", 1, 1, 100.0), ("IKU-2", "iku", 0, 1, 0.0), ("PENDUKUNG-1", "pendukung", 1, 2, 50.0),
        ("TUJUAN-1", "tujuan", 2, 4, 50.0)]
    definitions = client.get("/api/v1/indicators", headers=auth()).json["indicators"]
    goal = next(d for d in definitions if d["code"] == "TUJUAN-1")
    assert goal["parts"] == ["IKU-1", "IKU-2", "PENDUKUNG-1"] and "2 × Jumlah kegiatan" in goal["formula"]


def test_explain_lists_the_ucapan_behind_the_supporting_indicator_and_a_goal_names_its_parts(client, auth):
    on_time = client.post(BASE, headers=auth("protokol"), json=REQUEST).json["ucapan_id"]
    late = client.post(BASE, headers=auth("protokol"), json=REQUEST).json["ucapan_id"]
    cancelled = client.post(BASE, headers=auth("protokol"), json=REQUEST).json["ucapan_id"]
    delivered = client.post(f"{BASE}/{on_time}/delivery", headers=auth("protokol"), json=DELIVERY).json
    retracted = client.post(f"{BASE}/{on_time}/delivery", headers=auth("protokol"),
                            json={**DELIVERY, "channel": "surat"}).json["version"]
    client.post(f"{BASE}/{on_time}/retractions", headers=auth("protokol"), json={"version": retracted, "reason": "x"})
    client.post(f"{BASE}/{late}/delivery", headers=auth("protokol"),
                json={**DELIVERY, "delivered_at": "2021-03-09T10:00:00+07:00"})
    client.post(f"{BASE}/{cancelled}/cancellation", headers=auth("protokol"), json={"reason": "batal"})
    body = client.get("/api/v1/iku/explain", headers=auth("inspektorat"),
                      query_string={"period": "2021-Q1", "indicator": "PENDUKUNG-1"}).json
    assert (body["record"], body["numerator"], body["denominator"], body["cancelled"]) == ("ucapan", 1, 2, 1)
    assert [u["ucapan_id"] for u in body["denominator_ucapan"]] == [on_time, late]
    assert [e["type"] for e in body["denominator_ucapan"][0]["events"]] == ["UcapanRequested"]
    (counted,) = body["numerator_ucapan"]
    assert counted["ucapan_id"] == on_time and counted["due_on"] == "2021-03-02"
    assert [(e["type"], e["position"]) for e in counted["events"]] == [("UcapanDelivered", delivered["position"])]
    goal = client.get("/api/v1/iku/explain", headers=auth(),
                      query_string={"period": "2021-Q1", "indicator": "TUJUAN-1"}).json
    assert (goal["parts"], goal["numerator"], goal["denominator"]) == (["IKU-1", "IKU-2", "PENDUKUNG-1"], 1, 2)


def test_the_diff_names_the_ucapan_whose_contribution_changed_and_the_events_that_changed_it(client, auth):
    from io import BytesIO

    from openpyxl import load_workbook

    on_time = client.post(BASE, headers=auth("protokol"), json=REQUEST).json["ucapan_id"]
    untouched = client.post(BASE, headers=auth("protokol"), json=REQUEST).json["ucapan_id"]
    since = client.get(f"{BASE}/{untouched}/history", headers=auth()).json["events"][0]["recorded_at"]
    delivered = client.post(f"{BASE}/{on_time}/delivery", headers=auth("protokol"), json=DELIVERY).json
    body = client.get("/api/v1/iku/diff", headers=auth("inspektorat"),
                      query_string={"period": "2021-Q1", "from": since}).json
    (change,) = body["ucapan_changes"]
    assert change["ucapan_id"] == on_time
    assert (change["before"]["facts"], change["after"]["facts"]) == ([], ["delivered_on_time", "delivered"])
    assert [(e["type"], e["position"]) for e in change["events"]] == [("UcapanDelivered", delivered["position"])]
    before, after = ({f["code"]: f["numerator"] for f in body[side]["indicators"]} for side in ("before", "after"))
    assert (before["PENDUKUNG-1"], after["PENDUKUNG-1"], after["TUJUAN-1"]) == (0, 1, 1)
    book = load_workbook(BytesIO(_diff_workbook(client, auth, since)))
    cells = [c.value for row in book.active.iter_rows() for c in row if c.value]
    assert "Tersampaikan tepat waktu" in cells and REQUEST["recipient"] in cells


def _diff_workbook(client, auth, since) -> bytes:
    """The diff page's download, signed in as pimpinan."""
    import re

    app = client.application
    users = app.extensions["iku"].users
    if users.get("pimpinan.web") is None:
        users.create("pimpinan.web", "pimpinan")
        users.set_password("pimpinan.web", "kata-sandi-panjang")
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/login", data={"csrf_token": token, "name": "pimpinan.web", "password": "kata-sandi-panjang"})
    response = client.get("/dashboard/diff.xlsx", query_string={"period": "2021-Q1", "from": since})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.data


@pytest.mark.parametrize(("field", "value"), [("recipient", "Keluarga\u0000 Suroso"), ("occasion", "a\u0000"),
                                              ("notes", "\u0000"), ("recipient", "\u200b"), ("occasion", "\u200b\u200b")])
def test_a_nul_or_a_text_of_invisible_characters_is_refused_and_appends_nothing(client, auth, log, field, value):
    """A NUL cannot be kept in PostgreSQL's text: accepted once, it stopped the view for
    good (the review of issue 14). A zero-width space alone names nobody."""
    before = log()
    response = client.post(BASE, headers=auth("protokol"), json={**REQUEST, field: value})
    assert response.status_code == 422 and field in response.json["errors"]["json"]
    assert log() == before
    title = client.post("/api/v1/activities", headers=auth("protokol"), json={
        "title": "Rapat\u0000", "leaders": ["bupati"], "starts_at": "2021-03-01T09:00:00+07:00",
        "location": "L", "scope": "dalam_daerah"})
    assert title.status_code == 422 and "title" in title.json["errors"]["json"]
    assert log() == before


def test_a_nul_already_in_a_log_does_not_stop_the_view(app, client, auth):
    """A log written before the rule may hold one: the view keeps U+FFFD in its place, the
    log keeps what was recorded, and every read still answers."""
    from domain.context import acting_as

    with acting_as("protokol.user"):
        app.extensions["iku"].agenda.request_ucapan(**{**REQUEST, "recipient": "Keluarga\u0000Suroso"})
    listed = client.get(BASE, headers=auth(), query_string={"period": "2021-Q1"})
    assert listed.status_code == 200 and listed.json["ucapan"][0]["recipient"] == "Keluarga\ufffdSuroso"
    assert client.get("/api/v1/iku", headers=auth(), query_string={"period": "2021"}).status_code == 200


def test_overdue_is_as_known_at_the_instant_asked_not_today(client, auth, monkeypatch):
    """The same listing asked again later answers the same (the review of issue 14)."""
    from datetime import date

    import api.service_layer.ucapan as service
    from api.service_layer.queries import today

    real = today(client.application.extensions["iku"])
    due = (real + timedelta(days=1)).isoformat()
    client.post(BASE, headers=auth("protokol"), json={**REQUEST, "due_on": due})
    asked = {"period": str(real.year), "status": "overdue",
             "as_of": client.get("/api/v1/iku", headers=auth(), query_string={"period": "2021"}).json["as_of"]}
    first = client.get(BASE, headers=auth(), query_string=asked).json["total"]
    monkeypatch.setattr(service, "today", lambda svc: real + timedelta(days=3))
    assert client.get(BASE, headers=auth(), query_string=asked).json["total"] == first == 0
    assert date.fromisoformat(due) > real


def test_explain_shows_the_delivery_that_counts_the_first_delivered(client, auth):
    ucapan = client.post(BASE, headers=auth("protokol"), json=REQUEST).json["ucapan_id"]
    client.post(f"{BASE}/{ucapan}/delivery", headers=auth("protokol"),
                json={**DELIVERY, "delivered_at": "2021-03-05T10:00:00+07:00"})  # late, recorded first
    on_time = client.post(f"{BASE}/{ucapan}/delivery", headers=auth("protokol"),
                          json={**DELIVERY, "channel": "surat", "delivered_at": "2021-03-01T10:00:00+07:00"}).json
    body = client.get("/api/v1/iku/explain", headers=auth(),
                      query_string={"period": "2021-Q1", "indicator": "PENDUKUNG-1"}).json
    assert [e["position"] for e in body["numerator_ucapan"][0]["events"]] == [on_time["position"]]
