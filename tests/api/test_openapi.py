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
