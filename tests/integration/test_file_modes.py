"""Files that hold data or secrets are readable by their owner only (issue 11): the
database and its side files, backups, the signing key."""
import os
import stat

from api.bootstrap import Services
from domain.store.stores import backup
from tests.conftest import schedule


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_database_its_side_files_and_a_backup_are_the_owners_alone(tmp_path):
    database = tmp_path / "data" / "iku.sqlite3"
    services = Services(str(database), "Asia/Jakarta")
    schedule(services, 2)
    side_files = [p for p in database.parent.iterdir() if p.name.startswith("iku.sqlite3")]
    assert {p.name for p in side_files} >= {"iku.sqlite3", "iku.sqlite3-wal", "iku.sqlite3-shm"}
    assert {p.name: mode(p) for p in side_files} == {p.name: 0o600 for p in side_files}
    backup(str(database), str(tmp_path / "copy.sqlite3"))
    assert mode(tmp_path / "copy.sqlite3") == 0o600
    services.close()


def test_a_database_left_readable_by_others_is_made_the_owners_alone(tmp_path):
    database = tmp_path / "iku.sqlite3"
    Services(str(database), "Asia/Jakarta").close()
    os.chmod(database, 0o644)
    Services(str(database), "Asia/Jakarta").close()
    assert mode(database) == 0o600


def test_a_postgresql_backup_is_the_owners_alone(postgres_database, tmp_path):
    services = Services(postgres_database, "Asia/Jakarta")
    schedule(services, 1)
    services.close()
    backup(postgres_database, str(tmp_path / "copy.dump"))
    assert mode(tmp_path / "copy.dump") == 0o600 and (tmp_path / "copy.dump").stat().st_size > 0
