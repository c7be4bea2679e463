"""Facts that commute do not conflict (issue 12, problem 5): protocol service and
documentation by different officers are both kept without a stale-form refusal, a lost
race on a fact is no conflict, and a fact sent again is recognised instead of recorded
twice. If-Match still guards what really conflicts. On both stores."""
import re
import threading
from uuid import UUID

from tests.api.test_pages import login, logins, token_of  # noqa: F401 - fixtures

BASE = "/api/v1/activities"


def test_a_fact_sent_again_is_recognised_not_recorded_twice(client, auth, activity, log):
    first = client.post(f"{BASE}/{activity}/protocol", headers=auth("protokol"),
                        json={"officers": ["Ani Lestari", "Budi"]})
    before = log()
    again = client.post(f"{BASE}/{activity}/protocol", headers=auth("admin"),
                        json={"officers": ["budi", " Ani Lestari "]})
    assert again.status_code == 200 and again.headers["IKU-Already-Recorded"] == "true"
    assert again.json["version"] == first.json["version"] and again.json["position"] == first.json["position"]
    assert log() == before
    other = client.post(f"{BASE}/{activity}/protocol", headers=auth("protokol"), json={"officers": ["Citra"]})
    assert other.status_code == 201
    photo = {"media": "foto", "evidence_uri": "https://example.go.id/f/1.jpg"}
    assert client.post(f"{BASE}/{activity}/documentation", headers=auth("dokumentasi"), json=photo).status_code == 201
    assert client.post(f"{BASE}/{activity}/documentation", headers=auth("dokumentasi"), json=photo).status_code == 200


def test_a_retracted_fact_sent_again_is_a_new_entry(client, auth, activity, log):
    served = client.post(f"{BASE}/{activity}/protocol", headers=auth("protokol"), json={"officers": ["Ani"]}).json
    client.post(f"{BASE}/{activity}/retractions", headers=auth("protokol"),
                json={"version": served["version"], "reason": "salah"})
    again = client.post(f"{BASE}/{activity}/protocol", headers=auth("protokol"), json={"officers": ["Ani"]})
    assert again.status_code == 201 and again.json["version"] == served["version"] + 2


def test_concurrent_facts_are_all_recorded_without_a_conflict(app, tokens, activity, log):
    barrier, answers = threading.Barrier(6), []

    def write(i):
        client = app.test_client()
        barrier.wait()
        path, body = ((f"{BASE}/{activity}/documentation", {"media": "foto", "notes": f"foto {i}"}) if i % 2
                      else (f"{BASE}/{activity}/protocol", {"officers": [f"Petugas {i}"]}))
        role = "dokumentasi" if i % 2 else "protokol"
        answers.append(client.post(path, json=body, headers={"Authorization": f"Bearer {tokens[role]}"}).status_code)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [201] * 6
    assert [n.originator_version for n in log()] == list(range(1, 8))


def test_if_match_on_a_fact_is_still_honoured_when_asked_for(client, auth, activity, log):
    client.post(f"{BASE}/{activity}/protocol", headers=auth("protokol"), json={"officers": ["Ani"]})
    before = log()
    stale = client.post(f"{BASE}/{activity}/documentation", headers=auth("dokumentasi", **{"If-Match": '"1"'}),
                        json={"media": "foto"})
    assert stale.status_code == 409 and log() == before


def fact_form(client, activity_id, name="protocol"):
    """What the page's form of that fact posts, its hidden fields included (a version,
    if the form carries one)."""
    html = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    form = html.split(f'action="/activities/{activity_id}/{name}"')[1].split("</form>")[0]
    hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form))
    return html, hidden


def test_protokol_and_dokumentasi_posting_minutes_after_the_same_event_are_both_kept(app, activity, logins):
    """Both forms were opened at version 1; the second to post is not told "changed by
    someone else"."""
    logins("protokol"), logins("dokumentasi")
    clients = {}
    for role in ("protokol", "dokumentasi"):
        clients[role] = app.test_client()
        page = clients[role].get("/login").get_data(as_text=True)
        clients[role].post("/login", data={"csrf_token": token_of(page), "name": role, "password": "kata-sandi-uji"})
    (_, protocol), (_, documentation) = (fact_form(clients["protokol"], activity),
                                         fact_form(clients["dokumentasi"], activity, "documentation"))
    first = clients["dokumentasi"].post(f"/activities/{activity}/documentation", data={**documentation, "media": "foto"})
    second = clients["protokol"].post(f"/activities/{activity}/protocol", data={**protocol, "officers": "Ani"})
    assert first.status_code == second.status_code == 303
    events = app.extensions["iku"].agenda.history(UUID(activity))
    assert [e.type for e in events] == ["ActivityScheduled", "Documented", "ProtocolServed"]


def test_a_second_officer_sending_the_same_service_is_told_it_is_already_recorded(client, login, app, activity):
    login("protokol")
    _, form = fact_form(client, activity)
    client.post(f"/activities/{activity}/protocol", data={**form, "officers": "Ani\nBudi"})
    _, form = fact_form(client, activity)  # another form: another key, the same fact
    again = client.post(f"/activities/{activity}/protocol", data={**form, "officers": "Budi\nAni"}, follow_redirects=True)
    assert "Sudah tercatat sebelumnya (versi 2)" in again.get_data(as_text=True)
    assert len(app.extensions["iku"].agenda.history(UUID(activity))) == 2
