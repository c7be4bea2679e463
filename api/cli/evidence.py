"""The evidence store's unclaimed files: uploads that no event names are removed once
they are older than IKU_EVIDENCE_ORPHAN_HOURS (docs/RULES.md, "Unclaimed evidence").

`iku evidence sweep` sweeps once; `iku serve` sweeps before its workers start, and each
worker every hour (the store's lock lets one sweep run at a time, and a worker skips when
another swept within the half hour)."""
from __future__ import annotations

import logging
import random
import threading
import time
from datetime import timedelta

import click
from babel.numbers import format_decimal
from eventsourcing.utils import get_topic

from domain.model import Activity
from domain.ucapan import Ucapan

from .. import catalog
from ..catalog import _, _l
from ..evidence import Swept
from .base import main, services

SWEEP_EVERY = 3600.0  # seconds between a worker's sweeps
NAMING = (Activity.Documented, Ucapan.UcapanDelivered)  # the events that name evidence files
_PAGE = 1000
log = logging.getLogger(__name__)


def named_in_log(agenda) -> set[str]:
    """Every hash an event of the log names: the files of documentation entries and of
    ucapan deliveries, retracted ones too (a retraction leaves the entry in the log), and
    the hash of a file kept elsewhere (`evidence_sha256`)."""
    found, start, topics = set(), 1, [get_topic(kind) for kind in NAMING]
    while True:
        page = agenda.recorder.select_notifications(start=start, limit=_PAGE, topics=topics)
        for notification in page:
            event = agenda.mapper.to_domain_event(notification)
            for item in getattr(event, "evidence", None) or []:
                if isinstance(item, dict) and isinstance(item.get("sha256"), str):
                    found.add(item["sha256"])
            if isinstance(getattr(event, "evidence_sha256", None), str):
                found.add(event.evidence_sha256)
        if len(page) < _PAGE:
            return found
        start = page[-1].id + 1


def sweep_orphans(svc) -> Swept | None:
    """One sweep of the services' store against their log (None: another is running)."""
    return svc.evidence.sweep(lambda: named_in_log(svc.agenda), timedelta(hours=svc.config.evidence_orphan_hours))


def sweep_periodically(svc, every: float = SWEEP_EVERY) -> threading.Event:
    """Sweep every `every` seconds (give or take a tenth, so that workers spread out) in a
    daemon thread of this process, unless another process swept within half of it. Set
    the answer to stop."""
    stop = threading.Event()

    def run():
        while not stop.wait(every * random.uniform(0.9, 1.1)):
            try:
                last = svc.evidence.swept() or {}
                if time.time() - last.get("swept_at", 0) >= every / 2:
                    sweep_orphans(svc)
            except Exception:  # noqa: BLE001 - a failed sweep (the store unreachable) waits for the next
                log.exception("evidence sweep failed")

    threading.Thread(target=run, name="evidence-sweep", daemon=True).start()
    return stop


def swept_or_said(svc) -> str:
    """Sweep and say what was done, or why the store could not be swept (a folder that
    cannot be written): the service still starts, and the next sweep tries again."""
    try:
        return said(sweep_orphans(svc))
    except OSError as e:
        raise click.ClickException(_("penyimpanan bukti tidak dapat disapu: %(e)s", e=e)) from None


def said(swept: Swept | None) -> str:
    """A sweep's result in a sentence."""
    if swept is None:
        return _("Penyapuan bukti lain sedang berjalan: tidak ada yang dilakukan.")
    return _("Bukti tak bertuan: %(n)s berkas dihapus (%(mb)s MB), tidak disebut peristiwa mana pun selama "
             "%(h)s jam; %(left)s berkas belum disebut tetapi lebih muda, dibiarkan.",
             n=swept.removed, mb=format_decimal(round(swept.removed_bytes / 2**20, 1), locale=catalog.language()),
             h=format_decimal(swept.older_than_hours, locale=catalog.language()), left=swept.unclaimed_files)


@main.group(help=_l("Kelola penyimpanan bukti (foto dan video)."))
def evidence():
    pass  # a group: its commands follow


@evidence.command("sweep", help=_l(
    "Hapus berkas bukti yang tidak disebut peristiwa mana pun (dokumentasi, penyampaian ucapan, "
    "juga yang ditarik) dan terakhir diunggah atau disebut lebih dari IKU_EVIDENCE_ORPHAN_HOURS "
    "jam yang lalu; setiap berkas dicatat di log."))
@click.pass_context
def evidence_sweep(ctx):
    click.echo(swept_or_said(services(ctx)))
