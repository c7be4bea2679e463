"""`iku verify`: everything recomputed from the stored events, nothing trusted that the
database says about itself (docs/AUDIT.md, "What verify checks").

1. The log, position by position, up to its last position when verification starts (writes
   running meanwhile are not looked at): no position missing; each row's tree column holds
   the hash of its event's bytes and the subtrees that leaf completes (proofs are answered
   from them), each recomputed; recorded_at strictly increases along the log.
2. Every checkpoint: signed by a configured trusted log key for the configured origin, its
   root equal to the root recomputed from the leaves at its size, its size within the log;
   every stored cosignature by a configured witness verifies.
3. The checkpoints of before the tree (projections/audit/legacy.py), if any.

It only reads: it runs on a read-only copy of the database.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from eventsourcing.persistence import PersistenceError

from inspector import merkle
from inspector.catalog import _
from inspector.leaves import actor_of, canonical
from inspector.note import Checkpoint, Note, NoteError, Verifier
from inspector.roles import ACCOUNT, UNKNOWN, Accounts, credential
from inspector.seal import SealedLog

from .legacy import verify_legacy

BATCH = 5_000


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int  # events whose leaf was recomputed
    head_position: int  # the tree size (the last position verified)
    head_hash: str  # its root, hex
    first_bad_position: int | None = None
    reason: str | None = None
    checkpoints: int = 0
    witnesses: dict[str, int] = field(default_factory=dict)  # cosignatures verified per witness
    warnings: tuple[str, ...] = ()


class _Failed(Exception):
    def __init__(self, position: int | None, reason: str, checked: int | None = None):
        super().__init__(reason)
        self.position, self.reason, self.checked = position, reason, checked


def verify_store(recorder, *, log_keys: list[Verifier], witness_keys: list[Verifier],
                 origin: str, signed_head: tuple[int, bytes] | None = None,
                 sealed_from: int | None = None, users=None, view=None, own=None) -> Verification:
    """`signed_head`: the last (size, root) the signing key signed, kept beside the key
    (checkpoints.SignedHead), when verifying on the host that signs; `sealed_from`: the
    log's seal boundary kept beside the key there (seals.SealBoundary); `users`: a callable
    giving the users' table rows (name, role, disabled), checked against the log's accounts;
    `view`: a callable naming what the view holds that a fold of the log does not give
    (projections/view_check.py); `own`: the host's own sealer, whose seals are checked by
    signing again (seals.own_sealer)."""
    checkpoints = _checkpoints(recorder)  # before the head is pinned: none is beyond it
    roots: dict[int, bytes] = {}
    checked = 0
    sealed = SealedLog(origin, log_keys, boundary=sealed_from, own=own)
    accounts = Accounts()
    try:
        sizes = {checkpoint[0] for checkpoint in checkpoints} | ({signed_head[0]} if signed_head else set())
        checked, frontier = _stream(recorder, _pin(recorder), sizes, roots, sealed, accounts)
        if signed_head is not None and signed_head[0] > 0:
            if signed_head[0] > frontier.size:
                raise _Failed(frontier.size + 1, _(
                    "log berisi %(n)s peristiwa, lebih sedikit dari titik periksa berukuran %(size)s "
                    "yang terakhir ditandatangani kunci host ini (log dipotong)",
                    n=frontier.size, size=signed_head[0]))
            if roots.get(signed_head[0]) != signed_head[1]:
                raise _Failed(None, _("log tidak lagi cocok dengan titik periksa berukuran %(size)s yang "
                                       "terakhir ditandatangani kunci host ini (riwayat ditulis ulang)",
                                       size=signed_head[0]))
        witnesses, warnings = _check_checkpoints(checkpoints, roots, frontier.size, log_keys,
                                                 witness_keys, origin, recorder)
        legacy_checked, legacy_failure = verify_legacy(recorder, log_keys)
        if legacy_failure:
            raise _Failed(None, legacy_failure)
        if users is not None:
            _check_users(users(), accounts)
        if view is not None:
            differences = view()
            if differences:
                raise _Failed(None, _("tampilan (angka-angka yang dilayani) berbeda dari log: %(difference)s "
                                      "(basis data diubah di luar layanan: jalankan iku rebuild)",
                                      difference=differences[0]))
    except _Failed as failed:
        return Verification(False, failed.checked if failed.checked is not None else checked, 0, "",
                            failed.position, failed.reason)
    except PersistenceError as e:  # e.g. text that is not UTF-8 where SQLite stores text
        return Verification(False, checked, 0, "", None, _(
            "basis data tidak dapat dibaca seperti yang ditulis layanan (%(error)s): basis data "
            "diubah di luar layanan", error=e))
    return Verification(True, checked, frontier.size, frontier.root().hex(),
                        checkpoints=len(checkpoints) + legacy_checked, witnesses=witnesses,
                        warnings=tuple(warnings))


def _checkpoints(recorder) -> list[tuple[int, bytes, str, list[str]]]:
    with recorder.read() as c:
        recorder.tuple_rows(c)
        c.execute("SELECT size, root, note FROM iku_tree_checkpoints ORDER BY size")
        rows = c.fetchall()
        c.execute("SELECT size, line FROM iku_cosignatures ORDER BY size")
        lines: dict[int, list[str]] = {}
        for size, line in c.fetchall():
            lines.setdefault(size, []).append(line)
    return [(size, _bytes(root), note, lines.pop(size, [])) for size, root, note in rows] + [
        (size, b"", "", found) for size, found in lines.items()]  # cosignatures of nothing


def _pin(recorder) -> int:
    """The log's last position: writes committed later are beyond it and not looked at."""
    with recorder.read() as c:
        recorder.tuple_rows(c)
        c.execute(f"SELECT coalesce(max({recorder.position_column}), 0) FROM {recorder.events_table}")
        return c.fetchone()[0]


def _bytes(value) -> bytes:
    return bytes(value) if isinstance(value, (bytes, memoryview)) else b""


def _stream(recorder, events: int, sizes: set[int], roots: dict[int, bytes], sealed: SealedLog,
            accounts: Accounts):
    """Every event against the tree column of its row: its leaf, then the subtrees it
    completes, each recomputed; then its seal (the service wrote it)."""
    frontier = merkle.Frontier()
    after, last_recorded, checked = 0, None, 0
    while after < events:
        stop = min(after + BATCH, events)
        rows = {row[0]: row for row in recorder.select_sealed_rows(after, stop, BATCH)}
        for position in range(after + 1, stop + 1):
            row = rows.get(position)
            if row is None:
                raise _Failed(position, checked=checked, reason=_("peristiwa pada posisi %(p)s hilang dari log", p=position))
            p, activity_id, version, topic, state, recorded_at, tree, seal = row
            if not tree:
                raise _Failed(position, checked=checked, reason=_(
                    "peristiwa pada posisi %(p)s tidak punya daun di pohon (tidak ditulis oleh "
                    "layanan)", p=position))
            try:
                leaf = canonical(p, activity_id, version, topic, recorded_at, actor_of(state), state)
            except (TypeError, ValueError, AttributeError):
                raise _Failed(position, checked=checked, reason=_(
                    "peristiwa pada posisi %(p)s tidak dapat dibaca", p=position)) from None
            made = frontier.append(merkle.leaf_hash(leaf))
            if tree[:32] != made[0][2]:
                raise _Failed(position, checked=checked, reason=_(
                    "peristiwa pada posisi %(p)s tidak cocok dengan daunnya (diubah sejak dicatat)",
                    p=position))
            if last_recorded is not None and recorded_at <= last_recorded:
                raise _Failed(position, checked=checked, reason=_(
                    "peristiwa pada posisi %(p)s dicatat pada %(t)s µs, tidak sesudah peristiwa "
                    "sebelumnya (waktunya dimundurkan atau urutannya diubah)", p=position, t=recorded_at))
            if len(tree) != 32 * len(made):
                raise _Failed(position, checked=checked, reason=_(
                    "kolom pohon peristiwa pada posisi %(p)s berisi %(n)s bita, bukan %(m)s (pohon "
                    "diubah)", p=position, n=len(tree), m=32 * len(made)))
            for level, index, h in made[1:]:
                if tree[32 * level:32 * (level + 1)] != h:
                    raise _Failed(position, checked=checked, reason=_(
                        "simpul pohon tingkat %(level)s, indeks %(index)s bukan hash anak-anaknya "
                        "(pohon diubah)", level=level, index=index))
            failure = sealed.failure(position, made[0][2], seal)
            if failure:
                raise _Failed(position, checked=checked, reason=failure)
            if topic.startswith(ACCOUNT):
                try:
                    accounts.feed(position, activity_id, version, topic, json.loads(state))
                except ValueError:
                    raise _Failed(position, checked=checked, reason=_(
                        "peristiwa pada posisi %(p)s tidak dapat dibaca", p=position)) from None
            last_recorded = recorded_at
            checked += 1
            if position in sizes:
                roots[position] = frontier.root()
        after = stop
    return checked, frontier


def _check_users(rows, accounts: Accounts) -> None:
    """The users' tables are a cache of the log's accounts: a row edited, added or removed
    beneath the service is named (the service obeys the log, not the row)."""
    table = {row["name"]: row for row in rows}
    for name, row in sorted(table.items()):
        account = accounts.of(name)
        if account is None:
            raise _Failed(None, _("tabel pengguna memuat %(name)r, yang tidak pernah dibuat log (baris dibuat "
                                  "di luar layanan)", name=name))
        if account.role != row["role"]:
            raise _Failed(None, _("tabel pengguna memberi %(name)r peran %(table)s; log memberinya peran "
                                  "%(log)s (tabel diubah di luar layanan)", name=name, table=row["role"],
                                  log=account.role))
        if account.token not in (None, UNKNOWN) and credential(row["token_sha256"]) != account.token:
            raise _Failed(None, _("tabel pengguna memberi %(name)r token yang tidak diterbitkan log (tabel diubah "
                                  "di luar layanan)", name=name))
        if row["password_hash"] is not None and account.password != UNKNOWN and (
                credential(row["password_hash"]) != account.password):
            raise _Failed(None, _("tabel pengguna memberi %(name)r kata sandi yang tidak ditetapkan log (tabel "
                                  "diubah di luar layanan)", name=name))
        if account.disabled != bool(row["disabled"]):
            raise _Failed(None, _("tabel pengguna menyatakan %(name)r %(table)s; log menyatakannya %(log)s "
                                  "(tabel diubah di luar layanan)", name=name,
                                  table=_state(bool(row["disabled"])), log=_state(account.disabled)))
    known = {name.lower() for name in table}
    for account in accounts.by_id.values():
        if account.name.lower() not in known:
            raise _Failed(None, _("log membuat akun %(name)r, yang tidak ada di tabel pengguna (baris dihapus "
                                  "di luar layanan)", name=account.name))


def _state(disabled: bool) -> str:
    return _("nonaktif") if disabled else _("aktif")


def _check_checkpoints(checkpoints, roots, size, log_keys, witness_keys, origin, recorder):
    witnesses: dict[str, int] = {}
    warnings: list[str] = []
    for checkpoint_size, root, note_text, cosignatures in checkpoints:
        if not note_text:
            raise _Failed(None, _("tanda tangan bersama ukuran %(size)s tidak punya titik periksa "
                                  "(titik periksanya dihapus)", size=checkpoint_size))
        try:
            note = Note.parse(note_text + "".join(cosignatures))
            if not note.verified_by(log_keys):
                raise NoteError(_("ditandatangani kunci yang tidak dikenal, bukan kunci log tepercaya"))
            checkpoint = Checkpoint.parse(note.text)
        except NoteError as e:
            raise _Failed(None, _("titik periksa berukuran %(size)s: %(error)s",
                                  size=checkpoint_size, error=e)) from None
        if checkpoint.origin != origin:
            raise _Failed(None, _("titik periksa berukuran %(size)s milik log %(origin)r, bukan %(ours)r",
                                  size=checkpoint_size, origin=checkpoint.origin, ours=origin))
        if checkpoint.size != checkpoint_size or checkpoint.root != root:
            raise _Failed(None, _("titik periksa berukuran %(size)s: barisnya berbeda dari catatan "
                                  "bertanda tangannya", size=checkpoint_size))
        if checkpoint.size > size:
            raise _Failed(size + 1, _("log berisi %(n)s peristiwa, lebih sedikit dari titik periksa "
                                      "berukuran %(size)s (log dipotong)", n=size, size=checkpoint.size))
        if roots.get(checkpoint.size) != checkpoint.root:
            raise _Failed(None, _("log tidak lagi cocok dengan titik periksa berukuran %(size)s "
                                  "(riwayat ditulis ulang)", size=checkpoint.size))
        try:
            cosigned = note.cosigned_by(witness_keys)
        except NoteError as e:
            raise _Failed(None, _("titik periksa berukuran %(size)s: %(error)s (tanda tangan bersama "
                                  "dipalsukan)", size=checkpoint_size, error=e)) from None
        for name in cosigned:
            witnesses[name] = witnesses.get(name, 0) + 1
        known = {(k.name, k.key_id) for k in witness_keys}
        for s in note.signatures:
            if (s.name, s.key_id) not in known and not any(
                    k.name == s.name and k.key_id == s.key_id for k in log_keys):
                warnings.append(_("titik periksa berukuran %(size)s punya tanda tangan bersama oleh %(name)s, "
                                  "yang kuncinya tidak dikonfigurasi: tidak diperiksa",
                                  size=checkpoint_size, name=s.name))
    return witnesses, warnings
