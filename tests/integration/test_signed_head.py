"""Issue 23, row 9 (both stores): `.head` was accepted at 0644; a head claiming size 999,999
over a log of 5,419 made `iku checkpoint` exit 0 while `iku verify` said truncated; the
witness said "the log is empty" when no checkpoint verified."""
import base64
import json
import os

import pytest
from click.testing import CliRunner

from api.cli import main
from inspector.witness import WitnessRefused
from tests.conftest import RawSQL, ensure_accounts
from tests.integration.test_witness import record, run_witness, service, witness_key  # noqa: F401 - fixtures

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def recorded(services):
    record(services, 3)
    return services


def run(database, *args):
    return CliRunner().invoke(main, list(args), env={"IKU_DATABASE": database})


def test_a_head_readable_by_others_is_refused_by_name(recorded, database):
    head = recorded.checkpoints.head.path
    os.chmod(head, 0o644)
    result = run(database, "checkpoint")
    assert result.exit_code == 1 and "readable or writable by others than its owner (mode 0644): chmod 600" in result.output
    assert "Traceback" not in result.output
    verified = run(database, "verify")
    assert verified.exit_code == 1 and "mode 0644" in verified.output


def test_a_head_larger_than_the_log_is_a_named_refusal_in_every_command(recorded, database, tmp_path):
    size = recorded.tree.size()
    head = recorded.checkpoints.head.path
    claimed = json.loads(head.read_text())
    head.write_text(json.dumps({**claimed, "size": 999_999}))
    expected = f"the log has {size} events, fewer than the checkpoint of size 999999 this key signed"
    result = run(database, "checkpoint")
    assert result.exit_code == 1 and expected in result.output
    result = run(database, "export", "audit", "--period", "2021-Q1", "--out", str(tmp_path / "export"))
    assert result.exit_code == 1 and expected in result.output
    result = run(database, "verify")
    assert result.exit_code == 1 and "truncated" in result.output
    with pytest.raises(Exception, match="fewer than the checkpoint of size 999999"):
        recorded.checkpoints.sign()


def test_the_checkpoint_says_none_verifies_rather_than_that_the_log_is_empty(service, tmp_path, witness_key, database):
    services, url, token = service
    record(services, 2)
    note = services.checkpoints.latest().note
    with RawSQL(database) as db:  # only notes no log key signed are left
        db.execute("UPDATE iku_tree_checkpoints SET note = ?", (note.replace(note.split(" ")[-1], base64.b64encode(
            b"\x00" * 68).decode() + "\n"),))
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(f"{url}/api/v1/audit/checkpoint")
    assert answer.value.code == 503
    assert "no checkpoint of this log verifies with its keys" in answer.value.read().decode()
    with pytest.raises(WitnessRefused, match="no checkpoint of this log verifies with its keys") as refused:
        run_witness(services, url, token, tmp_path, witness_key)
    assert "empty" not in str(refused.value)
