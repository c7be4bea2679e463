"""Schemathesis against /api/v1/openapi.json, every operation, with a valid admin token:
no server errors, and every response conforms to the documented schemas. (Driven through
schemathesis's strategies: its pytest plugin does not run under this pytest.)"""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from domain.context import acting_as
from tests.conftest import wib


@pytest.mark.slow
@pytest.mark.parametrize("records", ["real", "demo"])
def test_every_operation_answers_as_documented_and_never_with_a_server_error(app, request, records):
    """On a database of real records, and on a demo database (whose answers say that their
    recorded times are simulated: a documented field)."""
    agenda = app.extensions["iku"].agenda
    if records == "demo":
        assert agenda.mark_as_demo()  # on an empty database: before the users' accounts
    tokens = request.getfixturevalue("tokens")
    with acting_as("protokol"):
        written = agenda.schedule(title="Rapat", leaders=["bupati"], starts_at=wib(2021, 3, 1, 9),
                                  location="Pendopo", scope="dalam_daerah")
        agenda.record_protocol(written.activity_id, officers=["Ani"])
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 17
    for operation in operations:
        @given(case=operation.as_strategy())
        # A fixed set of examples (derandomize): CI is reproducible; raise max_examples locally
        # to explore further (100 per operation passed on both stores).
        @settings(max_examples=40, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck),
                  database=None)
        def call(case):
            # Excluded: "schema-valid input is accepted". A period can match the documented
            # pattern and still be impossible (2021-02-30); refusing it with 422 is right.
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        call()
