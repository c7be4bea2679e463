"""No input produces a 500: arbitrary JSON bodies and query strings at every endpoint."""
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
field_names = st.sampled_from(["title", "leaders", "starts_at", "ends_at", "location", "scope", "reason",
                               "officers", "media", "evidence_uri", "evidence_sha256", "version", "notes"])
bodies = st.dictionaries(field_names, json_values, max_size=6) | json_values
PATHS = ["", "/{id}/reschedule", "/{id}/cancellation", "/{id}/protocol", "/{id}/documentation",
         "/{id}/retractions"]
query_values = st.text(max_size=25) | st.sampled_from(["2021", "2021-Q1", "2021-04-05", "bupati", "2021-03-01T00:00:00+07:00"])
queries = st.dictionaries(st.sampled_from(["period", "as_of", "leader", "x"]), query_values, max_size=3)
GETS = ["/api/v1/iku", "/api/v1/activities", "/api/v1/activities/{id}", "/api/v1/activities/{id}/history"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), body=bodies,
       if_match=st.none() | st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=8))
def test_no_write_body_gives_a_server_error(client, auth, activity, log, path, body, if_match):
    headers = auth() if if_match is None else auth(**{"If-Match": if_match})
    before = log()
    response = client.post(f"/api/v1/activities{path.format(id=activity)}", headers=headers, json=body)
    assert response.status_code < 500, response.json
    assert response.is_json
    if response.status_code != 201:
        assert log() == before


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(GETS), query=queries)
def test_no_query_gives_a_server_error(client, auth, activity, path, query):
    response = client.get(f"{path.format(id=activity)}?{urlencode(query)}", headers=auth("inspektorat"))
    assert response.status_code < 500, response.json
    assert response.is_json
