import pytest

from tests.conftest import either_store


@pytest.fixture(params=["sqlite", "postgres"])
def database(request, tmp_path):
    """The API tests run on both stores: a SQLite file, and the machine's PostgreSQL."""
    return either_store(request, tmp_path)


@pytest.fixture
def activity(client, auth):
    """A scheduled activity in 2021-Q1; returns its id."""
    response = client.post("/api/v1/activities", headers=auth("protokol"), json={
        "title": "Rapat Koordinasi Penanganan Stunting", "leaders": ["bupati", "wakil_bupati"],
        "starts_at": "2021-03-01T09:00:00+07:00", "ends_at": "2021-03-01T11:00:00+07:00",
        "location": "Pendopo Wahyawibawagraha", "scope": "dalam_daerah", "category": "Rapat",
    })
    assert response.status_code == 201, response.json
    return response.json["activity_id"]


@pytest.fixture
def log(app):
    from tests.conftest import log_of

    return lambda: log_of(app.extensions["iku"].agenda)
