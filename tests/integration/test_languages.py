"""The command line and the inspector's offline tools speak Bahasa Indonesia unless the
operator chooses English (IKU_LANGUAGE=en): their own messages, every command's --help, and
the words of the libraries they are built on (click's "Usage:", argparse's "usage:")."""
import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from api.cli import main
from inspector.__main__ import main as inspector_main
from tests.api.test_no_english import ENGLISH
from tests.integration.test_export import exported, key, logged, rehash  # noqa: F401 - fixtures

ROOT = Path(__file__).parents[2]
# Words an Indonesian help text keeps as they are: names of formats, settings, loanwords.
KEPT = {"iku", "api", "json", "csv", "xlsx", "pem", "c2sp", "vkey", "token", "log", "audit", "hash", "nip",
        "lkjip", "demo", "sqlite", "pg_dump", "gunicorn", "http", "rfc", "utf-8", "origin", "signed", "note",
        "tlog-proof", "jsonl", "lines", "backup", "admin", "foto", "video", "status", "target", "text", "name",
        "options", "command", "args", "folder", "file", "url", "key", "period", "as-of", "leader", "out",
        "format", "year", "reason", "role", "password", "full-name", "jabatan", "with-evidence", "previous",
        "witness", "state", "log-key", "print-vkey", "timezone", "export", "force", "if-empty", "per-day",
        "integer", "float", "path", "boolean", "activity_id", "starts_at", "recorded_at", "no", "a..b",
        # the commands' own names (SPEC §7)
        "checkpoint", "history", "report", "users", "agenda", "events", "create", "list", "disable", "enable",
        "public-key", "verify-export", "verify-receipt", "ensure-admin", "demo-logins", "rebuild", "restore",
        "serve", "import", "verify", "evidence", "sweep"}


def commands(group: click.Group, path=()):
    """Every command of the `iku` group, as the words that call it."""
    for name, command in sorted(group.commands.items()):
        yield (*path, name)
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))


def english_words(text: str) -> set[str]:
    words = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'_.-]*[A-Za-z]", text)}
    return (words & ENGLISH) - KEPT


def helps(**environment) -> dict[str, str]:
    """`iku … --help` of every command, in a fresh process (click makes a command's --help
    option once per process, in the language of that process)."""
    script = ("import json; from click.testing import CliRunner; from api.cli import main; "
              "from tests.integration.test_languages import commands; runner = CliRunner(); "
              "print(json.dumps({' '.join(('iku', *w)): runner.invoke(main, [*w, '--help'], prog_name='iku').output "
              "for w in [(), *commands(main)]}))")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **environment}, check=True)
    return json.loads(done.stdout)


def test_every_commands_help_is_in_bahasa_indonesia_by_default():
    found = {}
    for command, output in helps(IKU_LANGUAGE="").items():
        assert output.startswith(f"Penggunaan: {command}") and "Tampilkan bantuan ini lalu keluar." in output
        if english := english_words(output):
            found[command] = sorted(english)
    assert found == {}
    create = helps()["iku users create"]
    assert "Pilihan:" in create and "[wajib]" in create and "Nama lengkap (laporan dan LKjIP" in create


def test_every_commands_help_is_in_english_when_chosen():
    for command, output in helps(IKU_LANGUAGE="en").items():
        assert output.startswith(f"Usage: {command}") and "Show this message and exit." in output, output
    create = helps(IKU_LANGUAGE="en")["iku users create"]
    assert "Create a user (names are lower-case)" in create and "Nama lengkap" not in create


def test_clicks_own_errors_speak_the_chosen_language():
    runner = CliRunner()
    result = runner.invoke(main, ["users", "create"])
    assert result.exit_code == 2 and "Galat: Argumen tidak diberikan 'NAME'." in result.output
    result = runner.invoke(main, ["--period", "Triwulan V 2021"])
    assert "Nilai tidak sah untuk '--period': periode 'Triwulan V 2021' tidak dikenal." in result.output
    result = runner.invoke(main, ["users", "create"], env={"IKU_LANGUAGE": "en"})
    assert "Error: Missing argument 'NAME'." in result.output


def test_the_inspectors_help_and_refusals_are_in_bahasa_indonesia_by_default(capsys, tmp_path):
    with pytest.raises(SystemExit):
        inspector_main(["--help"])
    said = capsys.readouterr().out
    assert said.startswith("penggunaan: python -m inspector") and "tampilkan bantuan ini lalu keluar" in said
    assert english_words(said) == set()
    with pytest.raises(SystemExit):
        inspector_main(["verify-export"])
    assert "galat: argumen berikut wajib diisi: folder, --key" in capsys.readouterr().err
    assert inspector_main(["verify-export", str(tmp_path / "none"), "--key", "not+a+key"]) == 1
    assert capsys.readouterr().err == "DITOLAK: kunci verifikasi bukan base64\n"


def test_the_inspector_speaks_english_when_chosen(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("IKU_LANGUAGE", "en")
    with pytest.raises(SystemExit):
        inspector_main(["verify-export", "--help"])
    said = capsys.readouterr().out
    assert said.startswith("usage: python -m inspector verify-export") and "the log's verifier key" in said
    assert inspector_main(["verify-export", str(tmp_path / "none"), "--key", "not+a+key"]) == 1
    assert capsys.readouterr().err == "REFUSED: the verifier key is not base64\n"


def test_a_verified_and_a_refused_export_are_said_in_bahasa_indonesia(exported, key):  # noqa: F811
    runner = CliRunner()
    result = runner.invoke(main, ["verify-export", str(exported), "--key", key.vkey])
    assert result.exit_code == 0 and result.stdout.startswith("UTUH: ") and "terverifikasi" in result.stdout
    lines = (exported / "leaves.jsonl").read_text().splitlines()
    (exported / "leaves.jsonl").write_text("\n".join(lines[:-1]) + "\n")
    rehash(exported)
    result = runner.invoke(main, ["verify-export", str(exported), "--key", key.vkey])
    assert result.exit_code == 1
    assert result.stderr.startswith("DITOLAK: leaves.jsonl: berakhir di baris ")
    result = runner.invoke(main, ["verify-export", str(exported), "--key", key.vkey], env={"IKU_LANGUAGE": "en"})
    assert result.stderr.startswith("REFUSED: leaves.jsonl: ends at line ")


# The modules whose messages come from the inspector's catalog: the inspector's own, the
# service's audit (verification, checkpoints, export) and the store's backups.
AUDIT_MESSAGES = ("inspector/*.py", "projections/audit/*.py", "projections/view_check.py", "domain/store/stores.py")


def test_no_message_of_the_inspector_or_the_audit_bypasses_its_catalog():
    """A refusal, warning or line the inspector or the service's audit says is a catalog
    message (`_(…)`), never a bare string: the static guard behind the two languages."""
    bare = []
    for path in sorted(path for pattern in AUDIT_MESSAGES for path in ROOT.glob(pattern)):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                said = node.exc.args[:2] + [k.value for k in node.exc.keywords if k.arg == "reason"]
            elif isinstance(node, ast.Call) and (getattr(node.func, "id", "") == "say" or ast.unparse(
                    node.func) in ("warnings.append", "problems.append")):
                said = node.args[:1]
            else:
                continue
            for arg in said:
                parts = arg.values if isinstance(arg, ast.JoinedStr) else [arg]
                if any(isinstance(p, ast.Constant) and isinstance(p.value, str)
                       and re.search(r"[A-Za-z]{2}", p.value) for p in parts):
                    bare.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert bare == []


def plain(message):
    return tuple(message) if isinstance(message, (list, tuple)) else message


def test_the_inspectors_catalog_is_whole_and_compiled():
    from io import BytesIO

    from babel.messages.extract import extract_from_dir
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po
    folder = ROOT / "inspector" / "locale" / "en" / "LC_MESSAGES"
    with open(folder / "inspector.po", "rb") as f:
        source = {m.id: m.string for m in read_po(f) if m.id}
    in_code = {message for folder, pattern in (("inspector", "**.py"), ("projections/audit", "**.py"),
                                               ("projections", "view_check.py"), ("domain/store", "**.py"))
               for _f, _l, message, _c, _x in extract_from_dir(
                   str(ROOT / folder), [(pattern, "python")], keywords={"_": None})}
    assert in_code - {k for k, v in source.items() if v} == set()
    with open(folder / "inspector.mo", "rb") as f:
        assert {m.id: m.string for m in read_mo(BytesIO(f.read())) if m.id} == source
    for libraries in (ROOT / "inspector" / "locale", ROOT / "api" / "translations"):
        folder = libraries / "id" / "LC_MESSAGES"
        with open(folder / "libraries.po", "rb") as f:
            words = {plain(m.id): plain(m.string) for m in read_po(f) if m.id}
        with open(folder / "libraries.mo", "rb") as f:
            assert {plain(m.id): plain(m.string) for m in read_mo(BytesIO(f.read())) if m.id} == words
        assert all(words.values())
    assert words["Usage:"] == "Penggunaan:"
