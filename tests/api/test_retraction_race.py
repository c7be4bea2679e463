"""Who may retract what is decided on the state the retraction appends to (issue 10): a
documentation entry recorded while a protokol officer's retraction is in flight can never
be retracted by that officer."""
import pytest

from tests.conftest import log_of


def events_of(agenda) -> list:
    return [agenda.mapper.to_domain_event(n) for n in log_of(agenda)]


def retracted_documentation(agenda) -> list:
    """EntryRetracted events that retract a Documented entry, with their actors."""
    events = events_of(agenda)
    documented = {(e.originator_id, e.originator_version) for e in events if type(e).__name__ == "Documented"}
    return [(e.actor, e.retracted_version) for e in events if type(e).__name__ == "EntryRetracted"
            and (e.originator_id, e.retracted_version) in documented]


def test_a_documentation_entry_recorded_between_the_check_and_the_write_is_not_retracted(
        app, client, auth, activity, monkeypatch):
    """The retraction reads the activity at version 1; before it writes, dokumentasi records
    version 2 (Documented). Deciding on a second read let protokol retract it."""
    services = app.extensions["iku"]
    repository = services.agenda.repository
    read = repository.get
    armed = [True]

    def read_then_race(*args, **kwargs):
        found = read(*args, **kwargs)
        if armed[0]:
            armed[0] = False
            written = client.post(f"/api/v1/activities/{activity}/documentation",
                                  headers=auth("dokumentasi"), json={"media": "foto"})
            assert written.status_code == 201 and written.json["version"] == 2
        return found

    monkeypatch.setattr(repository, "get", read_then_race)
    response = client.post(f"/api/v1/activities/{activity}/retractions", headers=auth("protokol"),
                           json={"version": 2, "reason": "salah catat"})
    assert response.status_code in (403, 409), response.json
    assert retracted_documentation(services.agenda) == []
    assert not armed[0]  # the race did happen


@pytest.mark.parametrize("role", ["protokol", "admin"])
def test_protokol_still_retracts_its_own_entries(app, client, auth, activity, role):
    served = client.post(f"/api/v1/activities/{activity}/protocol", headers=auth("protokol"),
                         json={"officers": ["Ani"]})
    response = client.post(f"/api/v1/activities/{activity}/retractions", headers=auth(role),
                           json={"version": served.json["version"], "reason": "salah catat"})
    assert response.status_code == 201, response.json
    assert type(events_of(app.extensions["iku"].agenda)[-1]).__name__ == "EntryRetracted"


@pytest.mark.parametrize(("role", "entry", "message"), [
    ("dokumentasi", "protocol", "the role 'dokumentasi' may not retract protocol"),
    ("protokol", "documentation", "the role 'protokol' may not retract documentation"),
    ("pimpinan", "protocol", "the role 'pimpinan' may not retract entries"),
])
def test_a_retraction_the_role_may_not_make_is_403_naming_what(client, auth, activity, role, entry, message):
    body = {"officers": ["Ani"]} if entry == "protocol" else {"media": "foto"}
    recorded = client.post(f"/api/v1/activities/{activity}/{entry}",
                           headers=auth("protokol" if entry == "protocol" else "dokumentasi"), json=body)
    response = client.post(f"/api/v1/activities/{activity}/retractions", headers=auth(role),
                           json={"version": recorded.json["version"], "reason": "salah catat"})
    assert (response.status_code, response.json["message"]) == (403, message)
