"""Review finding 10: an unknown query parameter is a 422 on every endpoint of the JSON API
(docs/API.md), and a number is written in ASCII digits: Python's int() also reads "１"
(U+FF11), "١", " 1" and "1_0", which the API refuses (422 in a query, a header or a body;
404 in a path, as any path id that is not one)."""
import pytest

from tests.conftest import wib
from domain.context import acting_as

UNKNOWN = {"extra": ["Unknown field."]}
NOT_AN_INTEGER = ["Not a valid integer."]


@pytest.fixture
def logged(app):
    """Three events in the log, under a signed checkpoint."""
    services = app.extensions["iku"]
    with acting_as("protokol"):
        for i in range(3):
            services.agenda.schedule(title=f"Rapat {i}", leaders=["bupati"], starts_at=wib(2021, 3, 1 + i, 9),
                                     location="Pendopo", scope="dalam_daerah")
    services.checkpoints.sign()
    return services


@pytest.mark.parametrize("path", [
    "/api/v1/audit/proofs/inclusion?position=1&extra=1",
    "/api/v1/audit/proofs/consistency?from=1&to=2&extra=1",
    "/api/v1/audit/leaves?start=0&end=1&extra=1",
    "/api/v1/audit/receipts/1?extra=1",
    "/api/v1/audit/verify?extra=1",
    "/api/v1/audit/key?extra=1",
    "/api/v1/audit/public-key?extra=1",
    "/api/v1/audit/checkpoint?extra=1",
    "/api/v1/audit/checkpoints/latest?extra=1",
])
def test_an_unknown_query_parameter_of_an_audit_endpoint_is_named_in_a_422(client, auth, logged, path):
    response = client.get(path, headers=auth("inspektorat"))
    assert response.status_code == 422, response.data
    assert response.json["errors"] == {"query": UNKNOWN}


@pytest.mark.parametrize("path", [
    "/api/v1/indicators?extra=1",
    "/api/v1/reports/2021-Q1?extra=1",
    "/api/v1/activities/{activity}/history?extra=1",
    "/api/v1/evidence/" + "0" * 64 + "?extra=1",
])
def test_an_unknown_query_parameter_of_another_endpoint_without_parameters_is_a_422(client, auth, activity, path):
    response = client.get(path.format(activity=activity), headers=auth("inspektorat"))
    assert response.status_code == 422, response.data
    assert response.json["errors"] == {"query": UNKNOWN}


def test_an_unknown_query_parameter_of_a_write_is_a_422_and_appends_nothing(client, auth, activity, log):
    before = log()
    response = client.post(f"/api/v1/activities/{activity}/protocol?extra=1", headers=auth("protokol"),
                           json={"officers": ["Ani"]})
    assert response.status_code == 422, response.data
    assert response.json["errors"] == {"query": UNKNOWN}
    assert log() == before


@pytest.mark.parametrize(("path", "field"), [
    ("/api/v1/audit/proofs/inclusion?position=\uff11", "position"),  # FULLWIDTH DIGIT ONE
    ("/api/v1/audit/proofs/inclusion?position=1&tree_size=\u0663", "tree_size"),  # ARABIC-INDIC THREE
    ("/api/v1/audit/proofs/consistency?from=\uff11&to=2", "from"),
    ("/api/v1/audit/proofs/consistency?from=1&to=1_0", "to"),
    ("/api/v1/audit/leaves?start=%200&end=1", "start"),
    ("/api/v1/audit/leaves?start=0&end=%2B1", "end"),
    ("/api/v1/activities?period=2021&page=\uff11", "page"),
    ("/api/v1/activities?period=2021&per_page=\uff11\uff10", "per_page"),
    ("/api/v1/ucapan?period=2021&page=\uff11", "page"),
    ("/api/v1/iku/explain?period=2021&indicator=IKU-1&page=\uff11", "page"),
    ("/api/v1/iku/diff?period=2021&from=2021-01-01&to=2021-02-01&page=\uff11", "page"),
    ("/api/v1/targets?year=\uff12\uff10\uff12\uff11", "year"),
])
def test_a_number_in_a_query_is_ascii_digits_only(client, auth, logged, path, field):
    response = client.get(path, headers=auth("inspektorat"))
    assert response.status_code == 422, response.data
    assert response.json["errors"] == {"query": {field: NOT_AN_INTEGER}}


def test_the_same_numbers_in_ascii_digits_are_answered(client, auth, logged):
    assert client.get("/api/v1/audit/proofs/inclusion?position=1&tree_size=3").json["leaf_index"] == 0
    assert client.get("/api/v1/audit/proofs/consistency?from=1&to=3").status_code == 200
    assert client.get("/api/v1/targets?year=2021", headers=auth("inspektorat")).json["year"] == 2021
    assert client.get("/api/v1/activities?period=2021&page=01&per_page=2",
                      headers=auth("inspektorat")).json["per_page"] == 2
    assert client.get("/api/v1/audit/receipts/1").status_code == 200


def test_a_receipts_position_of_other_digits_is_a_404_as_any_path_that_names_nothing(client, logged):
    assert client.get("/api/v1/audit/receipts/1").status_code == 200
    response = client.get("/api/v1/audit/receipts/\uff11")
    assert response.status_code == 404
    assert response.json["code"] == 404  # the API's error shape


def test_an_if_match_of_other_digits_is_named_and_appends_nothing(client, auth, activity, log):
    before = log()
    response = client.post(f"/api/v1/activities/{activity}/protocol", json={"officers": ["Ani"]},
                           headers=auth("protokol", **{"If-Match": '"\uff11"'}))
    assert response.status_code == 422, response.data
    assert response.json["errors"] == {"headers": {"If-Match": NOT_AN_INTEGER}}
    assert log() == before
    assert client.post(f"/api/v1/activities/{activity}/protocol", json={"officers": ["Ani"]},
                       headers=auth("protokol", **{"If-Match": '"1"'})).status_code == 201


@pytest.mark.parametrize("size", ["\uff11", "1"])
def test_a_cosignatures_size_is_a_json_number(client, auth, logged, size):
    response = client.post("/api/v1/audit/cosignatures", headers=auth("inspektorat"),
                           json={"size": size, "cosignature": "— witness abc"})
    assert response.status_code == 422, response.data
    assert response.json["errors"] == {"json": {"size": NOT_AN_INTEGER}}


def test_every_integer_the_api_reads_is_read_in_ascii_digits(app):
    """Every schema a view of the API reads (a query, a header, a body) takes its integers
    through the API's own field (api/http/fields.py), not marshmallow's."""
    import marshmallow as ma

    from api.http.fields import Integer

    read, loose = set(), []
    for endpoint, view in app.view_functions.items():
        for method in ("get", "post", "put", "head", "delete"):
            function = getattr(getattr(view, "view_class", None), method, None)
            for parameter in getattr(function, "_apidoc", {}).get("arguments", {}).get("parameters", []):
                schema = parameter["schema"]() if isinstance(parameter["schema"], type) else parameter["schema"]
                read.add(type(schema).__name__)
                loose += [f"{endpoint} {type(schema).__name__}.{name}" for name, field in schema.fields.items()
                          if isinstance(field, ma.fields.Integer) and not isinstance(field, Integer)]
    assert {"InclusionQuerySchema", "WriteHeadersSchema", "ListingQuerySchema", "TargetsQuerySchema",
            "CosignatureInputSchema", "RetractionSchema"} <= read
    assert loose == []
