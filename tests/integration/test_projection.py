"""The bitemporal view: exactly once, resumable, caught up before reads, rebuildable."""
import threading
import time
from zoneinfo import ZoneInfo

from api.bootstrap import Services
from domain.context import acting_as
from domain.store.clock import to_datetime
from projections.calculator import AsOfCalculator
from projections.periods import Period
from projections.projector import Projector
from tests.conftest import wib

Q1 = Period.parse("2021-Q1")


def seed(agenda, n=30):
    with acting_as("protokol.ani"):
        for i in range(n):
            w = agenda.schedule(title=f"Kunjungan {i}", leaders=["bupati"],
                                starts_at=wib(2021, 1 + i % 6, 1 + i % 28, 9), location="Ambulu",
                                scope="dalam_daerah")
            if i % 3:
                agenda.record_protocol(w.activity_id, officers=["Ani"])
            if i % 4 == 0:
                agenda.record_documentation(w.activity_id, media="foto")
            if i % 7 == 0:
                agenda.reschedule(w.activity_id, starts_at=wib(2021, 4, 1, 0, 30), reason="mundur")
            if i % 11 == 0:
                agenda.cancel(w.activity_id, reason="batal")


def figures(answer):
    return [(f.indicator.code, f.numerator, f.denominator, f.cancelled, f.breakdown)
            for f in answer.figures]


def rows(services):
    with services.projector.view.datastore.transaction(commit=False) as c:
        c.execute("SELECT * FROM activity_versions ORDER BY position")
        return [tuple(r) for r in c.fetchall()]


def test_a_write_is_visible_to_the_next_read(services):
    calc = services.calculator
    assert figures(calc.compute(Q1))[0][2] == 0
    with acting_as("protokol.ani"):
        services.agenda.schedule(title="Rapat", leaders=["bupati"], starts_at=wib(2021, 2, 1, 9),
                                 location="Pendopo", scope="dalam_daerah")
    assert figures(calc.compute(Q1))[0][2] == 1


def test_each_event_is_applied_exactly_once_when_projectors_race(services, database):
    seed(services.agenda, 40)
    others = [Services(database, "Asia/Jakarta") for _ in range(3)]
    barrier = threading.Barrier(4)

    def catch_up(projector):
        barrier.wait()
        projector.catch_up(batch=7)

    threads = [threading.Thread(target=catch_up, args=(s.projector,))
               for s in [services, *others]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = services.agenda.recorder.max_notification_id()
    assert len(rows(services)) == total  # one row per event, none twice
    assert services.projector.position() == total
    for s in others:
        s.close()


def test_the_view_resumes_where_it_stopped(services, database):
    seed(services.agenda, 20)
    services.projector.catch_up(until=17)
    services.close()
    reopened = Services(database, "Asia/Jakarta")
    assert reopened.projector.position() == 17
    reopened.projector.catch_up()
    assert len(rows(reopened)) == reopened.agenda.recorder.max_notification_id()
    reopened.close()


def test_rebuild_from_position_zero_reproduces_the_same_view(services):
    seed(services.agenda, 30)
    services.projector.catch_up(batch=5)
    before = rows(services)
    services.projector.rebuild()
    assert rows(services) == before


def test_small_batches_with_a_tiny_heads_cache_give_the_same_view(services, monkeypatch):
    """Many batches, heads evicted and read back (on PostgreSQL while the batch that wrote
    them may still be committing, on the writer thread): the same rows and sums as one
    batch with every head in memory."""
    import projections.projector

    with acting_as("protokol.ani"):  # facts about earlier activities come back later
        ids = [services.agenda.schedule(title=f"Rapat {i}", leaders=["bupati"],
                                        starts_at=wib(2021, 3, 1 + i, 9), location="Pendopo",
                                        scope="dalam_daerah").activity_id for i in range(12)]
        for aid in ids:
            services.agenda.record_protocol(aid, officers=["Ani"])
        for group in (ids[0:3], ids[3:6], ids[6:9]):  # batches of 3 line up with these
            for aid in group:
                services.agenda.record_documentation(aid, media="foto")
            for aid in group:  # the first of the group was evicted after the batch before
                services.agenda.reschedule(aid, starts_at=wib(2021, 4, 2, 9), reason="mundur")
    services.projector.rebuild()  # one batch
    expected = rows(services), counts(services)
    monkeypatch.setattr(projections.projector, "CACHE_LIMIT", 2)
    view, write = services.projector.view, services.projector.view.write

    def slow_write(*args, **kwargs):  # a slow commit: the next batch is ready before it ends
        write(*args, **kwargs)
        time.sleep(0.02)

    monkeypatch.setattr(view, "write", slow_write)
    with services.projector.view.write_transaction() as c:
        services.projector.view.reset(c)
    services.projector.catch_up(batch=3)
    assert (rows(services), counts(services)) == expected


def counts(services):
    with services.projector.view.datastore.transaction(commit=False) as c:
        c.execute("SELECT local_date, bucket, leaders, cancelled, served, media, n FROM activity_counts "
                  "WHERE n <> 0 ORDER BY local_date, bucket, leaders, cancelled, served, media")
        return [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in c.fetchall()]


def test_a_changed_timezone_rebuilds_the_local_dates(services, database):
    with acting_as("protokol.ani"):
        # 23:30 WIB on 31 March is 31 March in Jakarta but 1 April in Jayapura (WIT).
        services.agenda.schedule(title="Malam", leaders=["bupati"], starts_at=wib(2021, 3, 31, 23, 30),
                                 location="Pendopo", scope="dalam_daerah")
    assert figures(services.calculator.compute(Q1))[0][2] == 1
    jayapura = Projector(services.agenda, ZoneInfo("Asia/Jayapura"))
    calc = AsOfCalculator(services.agenda, jayapura)
    assert figures(calc.compute(Q1))[0][2] == 0
    assert figures(calc.compute(Period.parse("2021-04")))[0][2] == 1


def test_a_changed_bucket_size_rebuilds_the_counts_and_keeps_every_answer(services, database, monkeypatch):
    seed(services.agenda, 30)
    times = [n.recorded_at for n in services.agenda.recorder.select_notifications(start=None, limit=1000)]
    instants = [None] + [to_datetime(t) for t in times[::7]]
    periods = [Period.parse(p) for p in ("2021", "2021-Q1", "2021-Q2", "2021-04")]
    before = {(p.label, i): figures(services.calculator.compute(p, i)) for p in periods for i in instants}
    services.close()
    monkeypatch.setenv("IKU_VIEW_BUCKET_BITS", "2")  # buckets of four positions
    reopened = Services(database, "Asia/Jakarta")
    assert reopened.projector.position() == 0  # the view was reset, to be rebuilt
    after = {(p.label, i): figures(reopened.calculator.compute(p, i)) for p in periods for i in instants}
    assert after == before
    with reopened.projector.view.datastore.transaction(commit=False) as c:
        c.execute("SELECT count(*) AS n FROM view_buckets")
        assert c.fetchone()["n"] > 10  # the log (about 60 events) is in many buckets now
    reopened.close()


def test_a_view_of_an_older_schema_is_dropped_and_rebuilt_from_the_log(services, database):
    seed(services.agenda, 5)
    services.projector.catch_up()
    before = rows(services)
    with services.projector.view.datastore.transaction(commit=True) as c:
        c.execute("UPDATE view_meta SET value = 'old' WHERE key = 'schema'")
        c.execute("DROP TABLE activity_heads")
        c.execute("CREATE TABLE activity_heads (activity_id TEXT PRIMARY KEY, state TEXT)")
    services.close()
    reopened = Services(database, "Asia/Jakarta")
    assert reopened.projector.position() == 0
    reopened.projector.catch_up()
    assert rows(reopened) == before
    reopened.close()


def test_an_indicator_of_the_same_shape_is_a_definition_not_code(services):
    from projections.indicators import INDICATORS, Indicator

    video = Indicator(
        code="IKU-X", kinerja_utama="Terdokumentasikannya kegiatan dalam video",
        indikator="Persentase kegiatan yang didokumentasikan dalam video",
        formula="kegiatan dengan video / kegiatan yang diagendakan × 100%",
        numerator_label="kegiatan dengan video", denominator_label="kegiatan yang diagendakan",
        penanggung_jawab="Sub Bagian Dokumentasi Pimpinan", sumber_data="uji",
        numerator_fact="media:video")
    calculator = AsOfCalculator(services.agenda, services.projector, indicators=(*INDICATORS, video))
    with acting_as("dokumentasi.citra"):
        for media in ("foto", "video"):
            w = services.agenda.schedule(title="Rapat", leaders=["bupati"], starts_at=wib(2021, 2, 1, 9),
                                         location="Pendopo", scope="dalam_daerah")
            services.agenda.record_documentation(w.activity_id, media=media)
    figures_by_code = {f.indicator.code: f for f in calculator.compute(Q1).figures}
    assert (figures_by_code["IKU-X"].numerator, figures_by_code["IKU-X"].denominator) == (1, 2)
    assert figures_by_code["IKU-X"].percent == 50.0
    assert figures_by_code["IKU-2"].numerator == 2


def test_target_events_in_the_log_leave_the_activity_view_alone(services):
    from decimal import Decimal

    from projections.calculator import ReferenceCalculator

    seed(services.agenda, 10)
    with acting_as("pimpinan"):
        services.agenda.set_target(indicator="IKU-1", year=2021, target=Decimal("90"))
    seed(services.agenda, 5)
    answer = services.calculator.compute(Period.parse("2021"))
    reference = ReferenceCalculator(services.agenda, services.zone).compute(Period.parse("2021"), answer.as_of)
    assert figures(answer) == figures(reference)
    assert answer.figures[0].target == Decimal("90")
    services.projector.rebuild()
    assert figures(services.calculator.compute(Period.parse("2021"), answer.as_of)) == figures(answer)


def test_an_event_class_given_a_new_version_upcasts_old_events_for_the_aggregate_and_the_view(
        services, database, monkeypatch):
    """The schema-change path of docs/OPERATIONS.md: a later release gives an event class a
    `class_version` and an upcaster; events stored before are read through it, by the
    aggregate and by the view, and stay as stored (their leaves cover their bytes)."""
    from domain.model import Activity

    with acting_as("dokumentasi.budi"):
        old = services.agenda.schedule(title="Rapat", leaders=["bupati"], starts_at=wib(2021, 2, 1, 9),
                                       location="Pendopo", scope="dalam_daerah").activity_id
        services.agenda.record_documentation(old, media="foto")
    services.close()

    # The new release: a synthetic v2 reading "foto" of v1 as "video", to be seen everywhere.
    def upcast_v1_v2(state):
        if state["media"] == "foto":
            state["media"] = "video"

    monkeypatch.setattr(Activity.Documented, "class_version", 2, raising=False)
    monkeypatch.setattr(Activity.Documented, "upcast_v1_v2", staticmethod(upcast_v1_v2), raising=False)
    svc = Services(database, "Asia/Jakarta")
    svc.projector.rebuild()
    with acting_as("dokumentasi.budi"):
        new = svc.agenda.schedule(title="Rapat", leaders=["bupati"], starts_at=wib(2021, 2, 2, 9),
                                  location="Pendopo", scope="dalam_daerah").activity_id
        svc.agenda.record_documentation(new, media="foto")  # stored as v2: not upcast again
    assert svc.agenda.history(old)[-1].data["media"] == "video"
    assert svc.agenda.history(new)[-1].data["media"] == "foto"
    iku2 = svc.calculator.compute(Period.parse("2021-02")).figures[1]
    assert (iku2.numerator, iku2.breakdown["foto"], iku2.breakdown["video"]) == (2, 1, 1)
    assert svc.verify().ok is True  # the old event's bytes are unchanged
    svc.close()


def test_the_trend_of_ten_years_is_one_query_per_record_and_equals_the_months_one_by_one(services):
    """A rescheduled activity counts in its new month from the reschedule on, in the
    grouped query as in the month-by-month replay, at every instant of the log."""
    from projections.calculator import ReferenceCalculator
    from tests.conftest import log_of

    seed(services.agenda, 15)
    with acting_as("protokol.ani"):
        moved = services.agenda.schedule(title="Pindah", leaders=["bupati"], starts_at=wib(2021, 3, 5, 9),
                                         location="Puger", scope="dalam_daerah").activity_id
        services.agenda.reschedule(moved, starts_at=wib(2021, 5, 5, 9), reason="mundur")
        services.agenda.record_protocol(moved, officers=["Ani"])
    reference = ReferenceCalculator(services.agenda, services.zone)
    period = Period.parse("2016-01-01..2025-12-31")
    queries = []
    services.projector.view.snapshot = counting(services.projector.view.snapshot, queries)
    for n in log_of(services.agenda)[-8:]:
        as_of = to_datetime(n.recorded_at)
        queries.clear()
        trend = services.calculator.monthly(period, as_of)
        assert len(trend) == 120 and len(queries) == 2  # one grouped query per record: activities, ucapan
        assert [(m.label, [(f.numerator, f.denominator, f.cancelled, f.breakdown) for f in fs]) for m, fs in trend] == [
            (m.label, [(f.numerator, f.denominator, f.cancelled, f.breakdown) for f in fs])
            for m, fs in reference.monthly(period, as_of)]


def counting(snapshot, calls):
    def counted(*args, **kwargs):
        calls.append(1)
        return snapshot(*args, **kwargs)

    return counted
