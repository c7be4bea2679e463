"""Serving, the demo year, and rebuilding the view."""
from __future__ import annotations

import sys
from dataclasses import replace

import click
from gunicorn.app.base import BaseApplication
from tqdm import tqdm

from .. import create_app
from ..catalog import _, _l
from ..config import Config
from ..users import prepare
from ..service_layer.demo import plan_year, run_demo
from .base import main, option, services
from .evidence import sweep_periodically, swept_or_said
from .workers import READ_TIMEOUT, paced_worker


UPLOAD_TIMEOUT = 180  # seconds a worker's main loop may stay silent before gunicorn restarts it


@main.command(help=_l("Jalankan layanan HTTP (gunicorn)."))
@option("--host", default="127.0.0.1", show_default=True)
@option("--port", default=8000, show_default=True, type=int)
@option("--workers", default=2, show_default=True, type=int)
@option("--threads", default=16, show_default=True, type=click.IntRange(1),
        help=_l("Utas per proses pekerja: permintaan yang dilayani bersamaan oleh satu pekerja."))
@option("--read-timeout", default=READ_TIMEOUT, show_default=True, type=click.FloatRange(0.1, 600),
        help=_l("Detik bagi baris permintaan dan header untuk tiba, juga tenggang sebelum isi permintaan "
                "harus tiba sekurang-kurangnya 4 KiB per detik; klien yang lebih lambat diputus."))
@click.pass_context
def serve(ctx, host, port, workers, threads, read_timeout):
    # Create the tables once, before the workers start (concurrent first creation races);
    # check the view against the log, rebuilding one changed beneath the service.
    svc = services(ctx)
    if svc.check_view():
        click.echo(_("Tampilan berbeda dari log (diubah di luar layanan): dibangun ulang dari log."), err=True)
    try:
        click.echo(swept_or_said(svc))  # then each worker every hour
    except click.ClickException as e:
        click.echo(_("peringatan: %(w)s", w=e.message), err=True)
    svc.close()
    ctx.obj.pop("services")
    config = replace(Config.from_environment(), create_tables=False)

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            # Threads, and a pace each request is read at (api/cli/workers.py): slow clients
            # hold a thread for a bounded time, never the worker (docs/OPERATIONS.md).
            self.cfg.set("worker_class", paced_worker(read_timeout))
            self.cfg.set("threads", threads)
            self.cfg.set("accesslog", "-")
            # A request is not bounded by this (its pace is): the workers' main loop reports
            # alive while threads serve.
            self.cfg.set("timeout", UPLOAD_TIMEOUT)
            # gunicorn's control socket is one per user ($HOME/.gunicorn/gunicorn.ctl): two
            # services of one user would take it from each other. None is needed.
            self.cfg.set("control_socket_disable", True)

        def load(self):
            prepare()
            app = create_app(config)  # the app is built in each worker
            sweep_periodically(app.extensions["iku"])
            return app

    click.echo(_("Layanan audit IKU: http://%(h)s:%(p)s/  (API: http://%(h)s:%(p)s/api/v1/openapi.json)",
                 h=host, p=port))
    Server().run()


@main.command(help=_l(
    "Muat satu tahun data demo yang realistis, dicatat dengan jam simulasi (hanya "
    "basis data baru)."))
@option("--if-empty", is_flag=True, help=_l("Tidak melakukan apa-apa (dan berhasil) bila basis data sudah berisi peristiwa."))
@option("--year", default=2021, show_default=True, type=int)
@option("--seed", default=2021, show_default=True, type=int)
@option("--per-day", default=5.4, show_default=True, type=float, help=_l("Rata-rata kegiatan per hari kerja."))
@click.pass_context
def demo(ctx, if_empty, year, seed, per_day):
    svc = services(ctx)
    if not svc.agenda.mark_as_demo():
        if svc.agenda.recorded_times_are_simulated or if_empty:
            click.echo(_("Basis data sudah berisi peristiwa: demo tidak dimuat."))
            if if_empty:
                return
        raise click.ClickException(_(
            "demo memerlukan basis data kosong: waktu pencatatannya disimulasikan, dan basis data "
            "catatan sungguhan tidak boleh memuatnya"))
    total = len(plan_year(year, svc.zone, seed, per_day))
    with tqdm(total=total, desc="peristiwa demo", unit="ev", file=sys.stderr) as bar:
        run_demo(svc, svc.zone, year, seed, bar.update, per_day)
    svc.projector.catch_up()
    count = svc.agenda.recorder.max_notification_id()
    click.echo(_("%(n)s peristiwa tahun %(y)s dimuat; waktu pencatatannya disimulasikan (demo).", n=count, y=year))


@main.command(help=_l("Bangun ulang tampilan kegiatan dari posisi 0 log."))
@click.pass_context
def rebuild(ctx):
    svc = services(ctx)
    total = svc.agenda.recorder.max_notification_id() or 0
    with tqdm(total=total, desc="rebuild", unit="ev", file=sys.stderr) as bar:
        position = svc.projector.rebuild(progress=bar.update)
    click.echo(_("Tampilan kegiatan dibangun ulang sampai posisi %(p)s.", p=position))


