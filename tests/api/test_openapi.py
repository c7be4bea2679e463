"""The OpenAPI 3 document describes the contract of SPEC §6."""

SPEC_PATHS = {
    ("post", "/api/v1/activities"), ("get", "/api/v1/activities"),
    ("post", "/api/v1/activities/{activity_id}/reschedule"),
    ("post", "/api/v1/activities/{activity_id}/cancellation"),
    ("post", "/api/v1/activities/{activity_id}/protocol"),
    ("post", "/api/v1/activities/{activity_id}/documentation"),
    ("post", "/api/v1/activities/{activity_id}/retractions"),
    ("get", "/api/v1/activities/{activity_id}"), ("get", "/api/v1/activities/{activity_id}/history"),
    ("get", "/api/v1/iku"), ("get", "/api/v1/indicators"),
}


def test_the_openapi_document_lists_every_operation_of_the_contract(client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    operations = {(method, path) for path, item in doc["paths"].items() for method in item
                  if method in ("get", "post")}
    assert SPEC_PATHS <= operations
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post"):
                assert operation.get("summary"), (method, path)
                assert any(code.startswith("2") for code in operation["responses"]), (method, path)
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_the_iku_response_schema_names_the_contract_fields(client):
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    figure = schemas["IndicatorFigure"]["properties"]
    assert {"code", "name", "numerator", "denominator", "percent", "cancelled", "by_media"} <= set(figure)
    assert {"period", "as_of", "leader", "indicators"} <= set(schemas["IKU"]["properties"])


def test_every_successful_json_answer_documents_the_demo_databases_field(client):
    """A demo database adds `recorded_times` to every 2xx JSON answer (issue 11)."""
    doc = client.get("/api/v1/openapi.json").json
    schemas = doc["components"]["schemas"]
    undocumented = []
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            for code, response in (operation.get("responses", {}) if isinstance(operation, dict) else {}).items():
                ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
                if code.startswith("2") and ref:
                    properties = schemas[ref.rsplit("/", 1)[1]]["properties"]
                    if properties.get("recorded_times", {}).get("enum") != ["simulated"]:
                        undocumented.append((method, path))
    assert undocumented == []


def test_the_documented_period_and_instant_patterns_are_what_the_service_accepts(client, auth):
    """Documented as patterns: years 1900–2999; text of spaces refused."""
    import re

    from projections.periods import InvalidPeriod, Period

    doc = client.get("/api/v1/openapi.json").json
    parameters = {p["name"]: p["schema"] for p in doc["paths"]["/api/v1/iku"]["get"]["parameters"]}
    period, as_of = re.compile(parameters["period"]["pattern"]), re.compile(parameters["as_of"]["pattern"])
    for label in ("2021", "2021-Q1", "2021-S2", "2021-03", "1900-01-01..1909-12-31", "2999-12", "2026-11-30", "2999-12-31",
                  "1899-12-31", "30/11/2026",
                  "1899", "3000-Q1", "0001-01-01..0001-12-31", "２０２１-Q1", "2021-13", "2021-Q5"):
        try:
            Period.parse(label)
            accepted = True
        except InvalidPeriod:
            accepted = False
        assert bool(period.search(label)) == accepted, label
    assert as_of.search("2021-03-01T09:00:00+07:00") and as_of.search("1900-01-01")
    assert not as_of.search("9999-12-31") and not as_of.search("0001-01-01T00:00:00+01:00")
    schedule = doc["components"]["schemas"]["Schedule"]["properties"]
    assert not re.search(schedule["title"]["pattern"], "   ") and re.search(schedule["title"]["pattern"], " a ")
