"""Backup and restore on both stores: the restore reproduces the audit log's tree, its
checkpoints and the figures."""
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from api.bootstrap import Services
from domain.context import acting_as
from projections.periods import Period
from tests.conftest import wib


@pytest.fixture(params=["sqlite", "postgres"])
def two_databases(request, tmp_path, monkeypatch):
    monkeypatch.setenv("IKU_SIGNING_KEY", str(tmp_path / "key.pem"))
    monkeypatch.delenv("IKU_EVIDENCE_DIR", raising=False)
    if request.param == "sqlite":
        yield str(tmp_path / "a.sqlite3"), str(tmp_path / "b.sqlite3")
        return
    source = request.getfixturevalue("postgres_database")
    import psycopg

    target = source + "_restored"
    admin = source.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {target.rsplit('/', 1)[1]} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {target.rsplit('/', 1)[1]}")
    yield source, target
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {target.rsplit('/', 1)[1]} WITH (FORCE)")


def test_a_restore_reproduces_the_tree_its_checkpoints_and_the_figures(two_databases, tmp_path):
    source, target = two_databases
    svc = Services(source, "Asia/Jakarta")
    with acting_as("protokol"):
        for i in range(5):
            w = svc.agenda.schedule(title=f"Rapat {i}", leaders=["bupati"], starts_at=wib(2021, 3, 1 + i, 9),
                                    location="Pendopo", scope="dalam_daerah")
            if i % 2:
                svc.agenda.record_protocol(w.activity_id, officers=["Ani"])
    head = (svc.tree.size(), svc.tree.root(svc.tree.size()), svc.checkpoints.sign().text)
    figures = [(f.numerator, f.denominator) for f in svc.calculator.compute(Period.parse("2021")).figures]
    svc.close()
    runner = CliRunner()
    backup_file = str(tmp_path / "backup.dump")
    assert runner.invoke(main, ["backup", backup_file], env={"IKU_DATABASE": source}).exit_code == 0
    result = runner.invoke(main, ["restore", backup_file], env={"IKU_DATABASE": target})
    assert result.exit_code == 0, result.output
    restored = Services(target, "Asia/Jakarta")
    assert (restored.tree.size(), restored.tree.root(restored.tree.size()),
            restored.checkpoints.latest().text) == head
    assert [(f.numerator, f.denominator) for f in restored.calculator.compute(Period.parse("2021")).figures] == figures
    restored.close()
    again = runner.invoke(main, ["restore", backup_file], env={"IKU_DATABASE": target})
    assert again.exit_code == 1 and "pulihkan ke" in again.output  # not over a database with events
    assert runner.invoke(main, ["backup", backup_file], env={"IKU_DATABASE": source}).exit_code == 1  # exists


def test_a_backup_carries_the_evidence_store_and_a_restore_brings_it_back(two_databases, tmp_path):
    """Issue 12, problem 6: the photos a Documented event names are in the backup."""
    import io

    from api.config import Config
    from tests.api.test_evidence import photo

    source, target = two_databases
    stores = {name: str(tmp_path / f"evidence-{name}") for name in ("source", "target")}
    svc = Services(config=Config.from_environment(database=source, timezone="Asia/Jakarta",
                                                  evidence_dir=Path(stores["source"])))
    stored = svc.evidence.put(io.BytesIO(photo()))
    with acting_as("dokumentasi"):
        w = svc.agenda.schedule(title="Rapat", leaders=["bupati"], starts_at=wib(2021, 3, 1, 9),
                                location="Pendopo", scope="dalam_daerah")
        svc.agenda.record_documentation(w.activity_id, media="foto", evidence=[stored.as_event_data()])
    svc.close()
    runner = CliRunner()
    backup_file = str(tmp_path / "backup.dump")
    done = runner.invoke(main, ["backup", backup_file], env={"IKU_DATABASE": source, "IKU_EVIDENCE_DIR": stores["source"]})
    assert done.exit_code == 0 and "1 berkas bukti" in done.output, done.output
    kept = Path(f"{backup_file}.evidence") / "sha256" / stored.sha256[:2] / stored.sha256
    assert kept.read_bytes() == (Path(stores["source"]) / "sha256" / stored.sha256[:2] / stored.sha256).read_bytes()
    assert oct(kept.stat().st_mode & 0o777) == "0o600"
    result = runner.invoke(main, ["restore", backup_file], env={"IKU_DATABASE": target, "IKU_EVIDENCE_DIR": stores["target"]})
    assert result.exit_code == 0, result.output
    assert (Path(stores["target"]) / "sha256" / stored.sha256[:2] / stored.sha256).read_bytes() == kept.read_bytes()
