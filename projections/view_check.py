"""The view checked against the log (docs/DESIGN.md, "The view, checked"): the view's
tables hold nothing the log does not, so a fold of the log must give them back exactly.

The log, up to the view's position, is folded again into a scratch view — the same
projector and the same view class of SQLite, in a temporary file — and every table is
compared with the live one, row by row in key order. The first difference of each table
is named ("activity_counts at (20210305, 0, 1, 0, 1, 0): the view holds n = 3, the log
gives 1"). `iku verify` runs it (reading only); the service runs it at start and rebuilds a
view that disagrees, saying so; a report's figures are checked against the log before they
are signed (api/service_layer)."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

from eventsourcing.sqlite import SQLiteDatastore

from inspector.catalog import _

from .projector import REBUILD_BATCH, Projector
from .view import COLUMNS, UCAPAN_COLUMNS, ActivityView

PAGE = 10_000
# Each table, its key (one column: read a page at a time) and the columns compared.
KEYED = (
    ("activity_versions", "position", COLUMNS),
    ("ucapan_versions", "position", UCAPAN_COLUMNS),
    ("activity_heads", "activity_id", "activity_id, position, entries"),
    ("view_buckets", "bucket", "bucket, last_position, last_sys_from"),
)
# The counts: keyed by six columns, and a key whose sum came back to 0 is no count.
COUNTS = ("activity_counts", ("local_date", "bucket", "leaders", "cancelled", "served", "media"), "n")


def differences(agenda, live, zone: ZoneInfo, *, most: int = 5) -> list[str]:
    """What the view `live` (a view recorder of the agenda's store) holds that a fold of the
    log up to the view's position does not give (at most `most` sentences; [] when they
    agree). Reads only the log and the view: it runs on a read-only copy."""
    with live.read() as c:
        position = live.position(c)
        bits = live.get_meta(c, "bucket_bits")
    folder = Path(tempfile.mkdtemp(prefix="iku-view-check-"))
    scratch = None
    try:
        datastore = SQLiteDatastore(db_name=str(folder / "view.sqlite3"))
        view = ActivityView(datastore)
        view.create_table()
        scratch = Projector(agenda, zone, int(bits) if bits else live.bucket_bits, view=view)
        scratch.catch_up(until=position, batch=REBUILD_BATCH)
        found: list[str] = []
        for table, key, columns in KEYED:
            found += _compare_keyed(live, view, table, key, columns)
            if len(found) >= most:
                break
        if len(found) < most:
            found += _compare_counts(live, view)
        return found[:most]
    finally:
        if scratch is not None:
            scratch.view.datastore.close()
        shutil.rmtree(folder, ignore_errors=True)


def _normal(value):
    """Values as both stores give them back (PostgreSQL's real is a float, SQLite's too)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value)
    return value


def _values(row) -> tuple:
    """A row's values in column order, whatever the store's row type (a dict, a Row)."""
    return tuple(_normal(v) for v in (row.values() if isinstance(row, dict) else row))


def _page(view, table: str, key: str, columns: str, after) -> list[tuple]:
    where = "" if after is None else f"WHERE {key} > ? "
    with view.read() as c:
        c.execute(view.sql(f"SELECT {columns} FROM {table} {where}ORDER BY {key} LIMIT {PAGE}"),
                  () if after is None else (after,))
        return [_values(row) for row in c.fetchall()]


def _rows(view, table, key, columns):
    after = None
    while True:
        page = _page(view, table, key, columns, after)
        yield from page
        if len(page) < PAGE:
            return
        after = page[-1][0]


def _compare_keyed(live, scratch, table: str, key: str, columns: str) -> list[str]:
    names = [c.strip() for c in columns.split(",")]
    mine, theirs = _rows(live, table, key, columns), _rows(scratch, table, key, columns)
    a, b = next(mine, None), next(theirs, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a[0] < b[0]):
            return [_("tampilan %(table)s memuat baris %(key)s yang tidak diberikan log", table=table, key=a[0])]
        if a is None or b[0] < a[0]:
            return [_("tampilan %(table)s tidak memuat baris %(key)s yang diberikan log", table=table, key=b[0])]
        if a != b:
            column = next(n for n, x, y in zip(names, a, b, strict=True) if x != y)
            i = names.index(column)
            return [_("tampilan %(table)s pada %(key)s: tampilan berisi %(column)s = %(view)r, log memberi "
                      "%(log)r", table=table, key=a[0], column=column, view=a[i], log=b[i])]
        a, b = next(mine, None), next(theirs, None)
    return []


def _counts(view) -> dict[tuple, int]:
    table, key, n = COUNTS
    with view.read() as c:
        c.execute(f"SELECT {', '.join(key)}, {n} FROM {table} WHERE {n} <> 0")
        rows = [_values(row) for row in c.fetchall()]
    return {row[:-1]: int(row[-1]) for row in rows}


def _compare_counts(live, scratch) -> list[str]:
    mine, theirs = _counts(live), _counts(scratch)
    found = []
    for key in sorted(set(mine) | set(theirs)):
        if mine.get(key, 0) != theirs.get(key, 0):
            found.append(_("tampilan activity_counts pada %(key)s: tampilan berisi n = %(view)s, log memberi %(log)s",
                           key=key, view=mine.get(key, 0), log=theirs.get(key, 0)))
            break
    return found


__all__ = ["differences"]
