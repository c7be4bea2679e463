import pytest

from tests.conftest import either_store


@pytest.fixture(params=["sqlite", "postgres"])
def database(request, tmp_path):
    """The integration tests run on both stores: a SQLite file, and the machine's PostgreSQL."""
    return either_store(request, tmp_path)
