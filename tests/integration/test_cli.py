"""The `iku` command line (SPEC §7)."""
import json
import re
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from api.cli import main
from api.bootstrap import Services

CSV_HEADER = "title,leaders,starts_at,location,scope,ends_at,category,notes,protocol_officers,documentation_media\n"
CSV_ROWS = (
    "Rapat Koordinasi,bupati,2021-01-11T09:00:00+07:00,Pendopo,dalam_daerah,2021-01-11T11:00:00+07:00,Rapat,,Ani;Budi,foto;video\n"
    "Kunjungan Kerja,bupati;wakil_bupati,2021-02-03T08:00:00+07:00,Kecamatan Puger,dalam_daerah,,,,,\n"
    "Rapat di Provinsi,wakil_bupati,2021-04-07T13:00:00+07:00,Surabaya,luar_daerah,,,,Ani,\n"
)


@pytest.fixture
def iku(cli_env):
    runner = CliRunner()

    def iku(*args, ok=True):
        result = runner.invoke(main, list(args), env=cli_env, catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output + result.stderr
        return result

    return iku


def test_users_create_prints_a_token_only_when_asked_for_as_its_last_line(iku, database):
    assert "iku_" not in iku("users", "create", "budi", "--role", "protokol").stdout
    result = iku("users", "create", "Ani.Protokol", "--role", "protokol", "--token")
    token = result.stdout.strip().splitlines()[-1]
    svc = Services(database, "Asia/Jakarta")
    user = svc.users.authenticate(token)
    assert (user.name, user.role) == ("ani.protokol", "protokol")  # names are lower-case
    svc.close()


def test_users_create_refuses_a_duplicate_or_an_unknown_role(iku):
    iku("users", "create", "x", "--role", "admin")
    assert iku("users", "create", "x", "--role", "admin", ok=False).exit_code != 0
    assert iku("users", "create", "y", "--role", "bupati", ok=False).exit_code != 0


def test_import_agenda_records_the_activities_and_their_facts_now(iku, tmp_path, database):
    started = datetime.now(UTC)
    path = tmp_path / "agenda.csv"
    path.write_text(CSV_HEADER + CSV_ROWS, encoding="utf-8")
    assert "3 kegiatan diimpor (7 peristiwa)" in iku("import", "agenda", str(path)).stdout
    lines = [json.loads(x) for x in iku("export", "events").stdout.splitlines()]
    assert [x["position"] for x in lines] == list(range(1, 8))
    assert all(datetime.fromisoformat(x["recorded_at"]) >= started for x in lines)  # never backdated
    assert {x["actor"] for x in lines} == {"system:import:agenda.csv"}
    q1 = json.loads(iku("--period", "2021-Q1", "--json").stdout)
    by_code = {i["code"]: i for i in q1["indicators"]}
    assert (by_code["IKU-1"]["numerator"], by_code["IKU-1"]["denominator"]) == (1, 2)
    assert by_code["IKU-2"]["by_media"] == {"media_luar_ruang": 0, "foto": 1, "video": 1}


@pytest.mark.parametrize(("content", "line"), [
    (CSV_ROWS.replace("2021-02-03T08:00:00+07:00", "2021-02-03 08:00"), "line 3"),
    (CSV_ROWS.replace("bupati;wakil_bupati", "bupati;camat"), "line 3"),
    (CSV_ROWS.replace("foto;video", "foto;lukisan"), "line 2"),
    (CSV_ROWS.replace("luar_daerah,,,,Ani,", "luar_daerah,,,"), "line 4"),
    (CSV_ROWS.replace("Kunjungan Kerja", ""), "line 3"),
])
def test_a_malformed_csv_names_the_bad_line_and_imports_nothing(iku, tmp_path, content, line):
    path = tmp_path / "agenda.csv"
    path.write_text(CSV_HEADER + content, encoding="utf-8")
    result = iku("import", "agenda", str(path), ok=False)
    assert result.exit_code == 1
    assert line in result.stderr
    assert iku("export", "events").stdout == ""


def test_a_csv_with_a_wrong_header_is_refused(iku, tmp_path):
    path = tmp_path / "agenda.csv"
    path.write_text("judul,pimpinan\nRapat,bupati\n", encoding="utf-8")
    result = iku("import", "agenda", str(path), ok=False)
    assert "Judul kolom tidak sesuai (kolom wajib tidak ada: location, scope, starts_at)." in result.stderr


def test_history_prints_every_event_of_an_activity(iku, tmp_path):
    path = tmp_path / "agenda.csv"
    path.write_text(CSV_HEADER + CSV_ROWS, encoding="utf-8")
    iku("import", "agenda", str(path))
    first = json.loads(iku("export", "events").stdout.splitlines()[0])
    out = iku("history", first["activity_id"]).stdout
    assert "versi 1 " in out and "ActivityScheduled" in out and "ProtocolServed" in out and "Documented" in out
    assert iku("history", "00000000-0000-0000-0000-000000000000", ok=False).exit_code == 1


def test_history_prints_every_event_of_an_ucapan(iku, database):
    from api.bootstrap import Services
    from domain.context import acting_as

    services = Services(database, "Asia/Jakarta")
    with acting_as("protokol.ani"):
        ucapan = services.agenda.request_ucapan(kind="selamat", recipient="Kapolres Jember", relation="pejabat",
                                                occasion="Pelantikan", leaders=["bupati"], due_on="2021-03-02")
        services.agenda.cancel_ucapan(ucapan.activity_id, reason="Permintaan ganda")
    services.close()
    out = iku("history", str(ucapan.activity_id)).stdout
    assert "versi 1 " in out and "UcapanRequested" in out and "UcapanCancelled" in out and "Permintaan ganda" in out


def test_the_iku_command_answers_as_of_an_instant_and_refuses_a_bad_period(iku, tmp_path):
    path = tmp_path / "agenda.csv"
    path.write_text(CSV_HEADER + CSV_ROWS, encoding="utf-8")
    iku("import", "agenda", str(path))
    before = json.loads(iku("--period", "2021", "--as-of", "2021-12-31", "--json").stdout)
    assert before["indicators"][0]["denominator"] == 0  # imported in 2026: unknown in 2021
    text = iku("--period", "2021-Q1", "--leader", "bupati").stdout
    assert "IKU-1  1/2 = 50,00%" in text and "Triwulan I 2021" in text
    assert iku("--period", "2021-Q9", ok=False).exit_code == 2


def test_rebuild_reproduces_the_same_figures(iku, tmp_path):
    path = tmp_path / "agenda.csv"
    path.write_text(CSV_HEADER + CSV_ROWS, encoding="utf-8")
    iku("import", "agenda", str(path))
    before = json.loads(iku("--period", "2021", "--json").stdout)
    assert "sampai posisi 7" in iku("rebuild").stdout
    after = json.loads(iku("--period", "2021", "--as-of", before["as_of"], "--json").stdout)
    assert after["indicators"] == before["indicators"]


def test_the_demo_loads_a_year_on_a_simulated_clock_into_an_empty_database_only(iku, cli_env, tmp_path):
    cli_env["IKU_CHECKPOINT_INTERVAL"] = "60"  # not a signature per write of the demo year
    out = iku("demo", "--per-day", "1").stdout
    assert "waktu pencatatannya disimulasikan" in out
    result = iku("--period", "2021-Q1", "--json")
    body = json.loads(result.stdout)
    assert body["recorded_times"] == "simulated"
    assert body["indicators"][0]["denominator"] > 50
    assert "DISIMULASIKAN" in result.stderr
    events = [json.loads(x) for x in iku("export", "events").stdout.splitlines()]
    times = [x["recorded_at"] for x in events]
    assert times[0].startswith("2020-12") or times[0].startswith("2021")
    assert {e["type"] for e in events} == {"ActivityScheduled", "ActivityRescheduled", "ActivityCancelled",
                                          "ProtocolServed", "Documented", "EntryRetracted",
                                          "TargetSet", "TargetChanged", "ReportOpened", "ReportSubmitted",
                                          "UcapanRequested", "UcapanDelivered", "UcapanCancelled",
                                          "DeliveryRetracted",  # the ucapan of the year (issue 14)
                                          "AccountCreated"}  # its actors' accounts, first (issue 23)
    # every event's actor held a role that permits it, as the inspector checks offline
    iku("export", "audit", "--period", "2021", "--out", str(tmp_path / "export"))
    vkey = iku("public-key").stdout.strip()
    checked = iku("verify-export", str(tmp_path / "export"), "--key", vkey)
    assert checked.stdout.startswith("UTUH: ")
    q1 = json.loads(iku("--period", "2021-Q1", "--json").stdout)
    assert q1["report"]["submitted_by"] == "pimpinan"  # submitted on the simulated 10 April
    assert q1["report"]["as_of"].startswith("2021-04-10")
    # Loading it again is refused; --if-empty makes that a quiet success.
    assert iku("demo", ok=False).exit_code == 1
    assert "demo tidak dimuat" in iku("demo", "--if-empty").stdout


def test_the_demo_refuses_a_database_with_real_records(iku, tmp_path):
    path = tmp_path / "agenda.csv"
    path.write_text(CSV_HEADER + CSV_ROWS, encoding="utf-8")
    iku("import", "agenda", str(path))
    result = iku("demo", ok=False)
    assert result.exit_code == 1 and "basis data kosong" in result.stderr
    assert "demo tidak dimuat" in iku("demo", "--if-empty").stdout


def test_users_create_with_a_password_makes_a_web_login(iku, database):
    result = CliRunner().invoke(main, ["users", "create", "ani", "--role", "protokol", "--password"],
                                input="sandi-yang-panjang\nsandi-yang-panjang\n",
                                env={"IKU_DATABASE": database}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    svc = Services(database, "Asia/Jakarta")
    assert svc.users.login("ANI", "sandi-yang-panjang").role == "protokol"  # any case
    svc.close()
    assert iku("users", "create", "budi", "--role", "admin", "--password", "pendek", ok=False).exit_code == 1


def test_demo_logins_give_every_role_a_login_on_a_demo_database_only(iku, cli_env, database):
    cli_env["IKU_CHECKPOINT_INTERVAL"] = "60"  # not a signature per write of the demo year
    assert "Bukan basis data demo" in iku("users", "demo-logins").stdout
    iku("demo", "--per-day", "0.5")
    out = iku("users", "demo-logins").stdout
    svc = Services(database, "Asia/Jakarta")
    for role in ("admin", "protokol", "dokumentasi", "pimpinan", "inspektorat"):
        password = re.search(rf"{role} / (\S+)", out).group(1)
        assert svc.users.login(role, password).role == role
    svc.close()


def test_a_second_make_run_prints_the_same_logins_and_its_admin_token_keeps_working(iku, cli_env, database):
    """Issue 24, problem 9: a second `make run` printed a new admin token, then reset the
    admin's password, which ended that token (the README's curl: 401); every demo password
    changed, and six lines of access history were added each time."""
    cli_env["IKU_CHECKPOINT_INTERVAL"] = "60"
    iku("demo", "--per-day", "0.5")
    def access_history():
        svc = Services(database, "Asia/Jakarta")
        try:
            return [n.topic.rsplit(".", 1)[1] for n in svc.agenda.recorder.select_notifications(None, 10**6)
                    if ".accounts:" in n.topic]
        finally:
            svc.close()

    runs = []
    for _ in range(2):  # make run: demo --if-empty, ensure-admin, demo-logins
        iku("demo", "--if-empty")
        token = iku("users", "ensure-admin").stdout.strip().splitlines()[-1]
        runs.append((token, iku("users", "demo-logins").stdout, access_history()))
    assert runs[0][1] == runs[1][1]  # the same logins, unchanged
    assert runs[1][2] == [*runs[0][2], "TokenIssued"]  # the second run added the admin's new token alone
    svc = Services(database, "Asia/Jakarta")
    try:
        assert svc.users.authenticate(runs[1][0]).role == "admin"  # the token the second run printed works
    finally:
        svc.close()


def test_the_cli_speaks_indonesian_unless_english_is_chosen(iku, cli_env, tmp_path):
    """Issue 13: every message through the catalog; English only when chosen (IKU_LANGUAGE)."""
    path = tmp_path / "agenda.csv"
    path.write_text(CSV_HEADER + CSV_ROWS, encoding="utf-8")
    assert "3 kegiatan diimpor (7 peristiwa)." in iku("import", "agenda", str(path)).stdout
    indonesian = iku("--period", "2021-Q1").stdout
    assert "Triwulan I 2021 (Jumat, 1 Januari 2021 s.d. Rabu, 31 Maret 2021)" in indonesian
    assert "Data per " in indonesian and " WIB" in indonesian and "dibatalkan: " in indonesian
    cli_env["IKU_LANGUAGE"] = "en"
    english = iku("--period", "2021-Q1").stdout
    assert "Quarter I 2021 (" in english and "As of " in english and "cancelled: " in english
    assert "Imported 0 activities (0 events). 3 already recorded, skipped." in iku("import", "agenda", str(path)).stdout
    cli_env["IKU_LANGUAGE"] = "jawa"
    assert "IKU_LANGUAGE" in iku("--period", "2021-Q1", ok=False).output
