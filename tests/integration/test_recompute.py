"""The inspectorate's recomputation (inspector/recompute.py), written from SPEC §5 alone, holds
the figures of the demo year's submitted reports, names a figure that was altered, and
imports nothing of the service."""
import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from api.service_layer.queries import figure_rows as figures_json
from api.bootstrap import Services
from domain.store.clock import to_micros
from inspector.recompute import Recomputer, compare
from projections.periods import Period

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo_year(database, cli_env, monkeypatch, tmp_path):
    """The demo year loaded by `iku demo` (its four triwulan reports are submitted), and the
    Recomputer fed the whole log as stored."""
    if "IKU_SIGNING_KEY" not in os.environ:
        monkeypatch.setenv("IKU_SIGNING_KEY", str(tmp_path / "signing-key.pem"))
    # A checkpoint a minute, not one per write: 4,700 signatures cost a minute on PostgreSQL
    # and are not what this test is about (closing signs what is due).
    monkeypatch.setenv("IKU_CHECKPOINT_INTERVAL", "60")
    result = CliRunner().invoke(main, ["demo"], env={**cli_env, **os.environ}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    services = Services(database, "Asia/Jakarta")
    recomputer = Recomputer()
    recomputer.feed_rows(services.agenda.recorder.select_rows(0, 2**62, 10**6))
    yield services, recomputer
    services.close()


@pytest.mark.slow
def test_the_demo_years_reports_are_recomputed_from_the_log_and_an_altered_figure_is_named(demo_year):
    services, recomputer = demo_year
    assert (recomputer.unknown_topics, recomputer.anomalies) == ({}, {})
    submissions = recomputer.submissions()
    assert [s["period"] for s in submissions] == ["2021-Q1", "2021-Q2", "2021-Q3", "2021-Q4"]
    for s in submissions:
        assert s["figures"][0]["denominator"] > 200  # a real quarter, not an empty one
        assert compare(s["figures"], recomputer.figures(s["period"], s["as_of"])) == [], s["period"]
    assert [problems for _, problems in recomputer.check_submissions()] == [[], [], [], []]

    # Figures as known now, for other periods and each leader: the same JSON, types and all.
    for label in ("2021", "2021-S2", "2021-03", "2021-06-30..2021-07-02", "2020-12-01..2022-01-31"):
        for leader in (None, "bupati", "wakil_bupati"):
            answer = services.calculator.compute(Period.parse(label), None, leader)
            stated = [{k: v for k, v in f.items() if k != "name"} for f in figures_json(answer.figures)]
            recomputed = recomputer.figures(label, to_micros(answer.as_of), leader=leader)
            assert json.dumps(recomputed) == json.dumps(stated), (label, leader)

    # A report whose figures were altered: each altered number is named, nothing else.
    submission = submissions[1]
    recomputed = recomputer.figures(submission["period"], submission["as_of"])
    altered = copy.deepcopy(submission["figures"])
    served, foto = altered[0]["numerator"], altered[1]["by_media"]["foto"]
    altered[0]["numerator"] = served + 1
    altered[1]["by_media"]["foto"] = foto - 1
    altered[1]["capaian"] = None
    altered[0]["name"] = "another name"  # not a figure: not compared
    assert compare(altered, recomputed) == [
        f"IKU-1 numerator: dinyatakan {served + 1}, dihitung ulang {served}",
        f"IKU-2 capaian: dinyatakan null, dihitung ulang {recomputed[1]['capaian']}",
        f"IKU-2 by_media foto: dinyatakan {foto - 1}, dihitung ulang {foto}",
    ]
    assert compare(altered[:1], recomputed)[-1] == "IKU-2: tidak dinyatakan, dihitung ulang"


def test_the_recomputation_imports_nothing_of_the_service():
    """Not domain, projections or api, nor anything outside the standard library (a module
    it loads is built in, or a file of the standard library or of inspector/)."""
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import inspector.recompute\n"
        "service = sorted(m for m in sys.modules if m.split('.')[0] in ('domain', 'projections', 'api'))\n"
        "assert not service, service\n"
        "import os, sysconfig\n"
        "base = {'base': sys.base_prefix, 'installed_base': sys.base_prefix,\n"
        "        'platbase': sys.base_exec_prefix, 'installed_platbase': sys.base_exec_prefix}\n"
        "allowed = tuple({os.path.realpath(sysconfig.get_path(k, vars=base)) + os.sep\n"
        "                 for k in ('stdlib', 'platstdlib')} | {os.path.realpath('inspector') + os.sep})\n"
        "def outside(module):\n"
        "    path = getattr(module, '__file__', None)  # None: built in\n"
        "    return path and (not os.path.realpath(path).startswith(allowed) or 'site-packages' in path)\n"
        "other = sorted(m for m in set(sys.modules) - before if outside(sys.modules[m]))\n"
        "assert not other, f'not the standard library: {other}'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
