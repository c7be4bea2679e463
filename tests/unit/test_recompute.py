"""The rules of the inspectorate's recomputation (inspector/recompute.py), on hand-made logs."""
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from inspector.recompute import Recomputer, compare, parse_period

WIB = timezone(timedelta(hours=7))
ACTIVITY = "domain.model:Activity."
T0 = 1_617_235_200_000_000  # 2021-04-01 00:00 UTC, in µs


def instant(value: datetime) -> dict:
    return {"_type_": "datetime_iso", "_data_": value.isoformat()}


class Log:
    """Feeds a Recomputer events of a few activities, one µs apart unless told."""

    def __init__(self):
        self.recomputer = Recomputer()
        self.position = 0
        self.versions: dict[str, int] = {}
        self.at = T0

    def add(self, aid: str, topic: str, at: int | None = None, **event) -> int:
        self.position += 1
        self.at = self.at + 1 if at is None else at
        version = self.versions[aid] = self.versions.get(aid, 0) + 1
        self.recomputer.feed(self.position, aid, version, topic, self.at, {"actor": "t", **event})
        return version

    def schedule(self, aid: str, starts_at: datetime, leaders=("bupati",), **kw) -> int:
        return self.add(aid, ACTIVITY + "ActivityScheduled", title="t", leaders=list(leaders),
                        starts_at=instant(starts_at), location="l", scope="dalam_daerah",
                        ends_at=None, category=None, notes=None, **kw)


def aid(n: int) -> str:
    return f"{n:032x}"


def test_percent_is_rounded_half_up_and_null_without_a_denominator():
    log = Log()
    for n in range(800):
        log.schedule(aid(n), datetime(2021, 3, 1, 9, tzinfo=WIB))
    log.add(aid(0), ACTIVITY + "ProtocolServed", officers=["o"], notes=None)
    iku1 = log.recomputer.figures("2021-03")[0]
    assert (iku1["numerator"], iku1["denominator"], iku1["percent"]) == (1, 800, 0.13)
    assert log.recomputer.figures("2021-04")[0]["percent"] is None


def test_capaian_is_the_rounded_percent_over_the_target_as_known_then():
    log = Log()
    for n in range(3):
        log.schedule(aid(n), datetime(2021, 3, 1, 9, tzinfo=WIB))
    for n in range(2):
        log.add(aid(n), ACTIVITY + "ProtocolServed", officers=["o"], notes=None)
    target_id = "3dd2ff1b8ab95fbbb6c1bd0bc3a2c1f7"  # not the id of (IKU-1, 2021): not read
    log.add(target_id, "domain.targets:IndicatorTarget.TargetSet", indicator="IKU-1", year=2021,
            target="50", reason=None)
    real = uuid.uuid5(uuid.NAMESPACE_URL, "/iku/targets/IKU-1/2021").hex
    log.add(real, "domain.targets:IndicatorTarget.TargetSet", indicator="IKU-1", year=2021,
            target="90", reason=None)
    set_at = log.at
    log.add(real, "domain.targets:IndicatorTarget.TargetChanged", target="0", reason="r")
    r = log.recomputer
    assert "a target not at the id of its indicator and year" in r.anomalies
    before = r.figures("2021-Q1", set_at)[0]
    assert (before["percent"], before["target"], before["capaian"]) == (66.67, 90.0, 74.08)
    now = r.figures("2021-Q1")[0]
    assert (now["target"], now["capaian"]) == (0.0, None)  # a target of 0 gives no capaian
    assert r.figures("2020-12-01..2021-03-31", set_at)[0]["target"] is None  # spans two years


def test_a_date_alone_as_of_is_the_end_of_that_local_day():
    log = Log()
    end_of_day = int(datetime(2021, 4, 5, 23, 59, 59, 999999, tzinfo=WIB).timestamp()) * 10**6 + 999999
    log.schedule(aid(1), datetime(2021, 3, 1, 9, tzinfo=WIB), at=end_of_day)
    log.schedule(aid(2), datetime(2021, 3, 1, 9, tzinfo=WIB), at=end_of_day + 1)
    assert log.recomputer.figures("2021-03", "2021-04-05")[0]["denominator"] == 1
    assert log.recomputer.figures("2021-03", date(2021, 4, 6))[0]["denominator"] == 2
    assert log.recomputer.figures("2021-03", end_of_day - 1)[0]["denominator"] == 0


def test_the_local_date_is_exact_whatever_the_offset():
    """Asia/Jakarta was at +07:07:12 until 1924 and +07:20 until 1932: an activity at 00:03
    local time on 1 June 1920 is in June, not in May."""
    log = Log()
    batavia = timezone(timedelta(hours=7, minutes=7, seconds=12))
    log.schedule(aid(1), datetime(1920, 6, 1, 0, 3, tzinfo=batavia))
    log.schedule(aid(2), datetime(2021, 3, 31, 23, 59, 59, tzinfo=WIB))
    log.schedule(aid(3), datetime(2021, 3, 31, 17, 0, tzinfo=timezone.utc))  # 1 April WIB
    r = log.recomputer
    assert [r.figures(p)[0]["denominator"] for p in ("1920-05", "1920-06")] == [0, 1]
    assert [r.figures(p)[0]["denominator"] for p in ("2021-Q1", "2021-Q2")] == [1, 1]
    assert r.figures("2021-Q2", zone="UTC")[0]["denominator"] == 0


def test_retractions_cancellations_reschedules_and_leaders():
    log = Log()
    a, b = aid(1), aid(2)
    log.schedule(a, datetime(2021, 3, 1, 9, tzinfo=WIB), leaders=("bupati", "wakil_bupati"))
    log.schedule(b, datetime(2021, 3, 2, 9, tzinfo=WIB), leaders=("wakil_bupati",))
    served = log.add(a, ACTIVITY + "ProtocolServed", officers=["o"], notes=None)
    nothing = {"evidence_uri": None, "evidence_sha256": None, "notes": None}
    photo = log.add(a, ACTIVITY + "Documented", media="foto", **nothing)
    log.add(a, ACTIVITY + "Documented", media="video", **nothing)
    log.add(a, ACTIVITY + "EntryRetracted", retracted_version=photo, reason="r")
    log.add(a, ACTIVITY + "EntryRetracted", retracted_version=photo, reason="again")  # names nothing live
    log.add(b, ACTIVITY + "ActivityCancelled", reason="r")
    r = log.recomputer
    assert r.anomalies == {"a retraction naming no live entry": {"count": 1, "first_position": 7}}
    iku1, iku2, *_later = r.figures("2021-03")
    assert (iku1["numerator"], iku1["denominator"], iku1["cancelled"]) == (1, 1, 1)
    assert iku2["by_media"] == {"media_luar_ruang": 0, "foto": 0, "video": 1}
    assert r.figures("2021-03", leader="bupati")[0]["cancelled"] == 0
    log.add(a, ACTIVITY + "EntryRetracted", retracted_version=served, reason="r")
    log.add(a, ACTIVITY + "ActivityRescheduled", starts_at=instant(datetime(2021, 4, 1, tzinfo=WIB)),
            ends_at=None, reason="r")
    assert r.figures("2021-03")[0]["denominator"] == 0
    assert r.figures("2021-04")[0]["numerator"] == 0
    assert r.figures("2021-03", T0 + 7)[0]["numerator"] == 1  # as it was known then


def test_a_log_out_of_order_in_recorded_at_is_still_answered_exactly():
    log = Log()
    log.schedule(aid(1), datetime(2021, 3, 1, 9, tzinfo=WIB), at=T0 + 100)
    log.add(aid(1), ACTIVITY + "ProtocolServed", at=T0 + 50, officers=["o"], notes=None)
    r = log.recomputer
    assert "a recorded_at not after the one before" in r.anomalies
    assert r.figures("2021-03", T0 + 60)[0]["denominator"] == 0  # served, but not yet scheduled
    assert r.figures("2021-03", T0 + 100)[0]["numerator"] == 1


def test_unknown_topics_are_counted_and_ignored():
    log = Log()
    log.schedule(aid(1), datetime(2021, 3, 1, 9, tzinfo=WIB))
    log.add(aid(2), "domain.somewhere:Else.Happened", anything=1)
    log.add(aid(1), ACTIVITY + "Teleported", to="moon")
    r = log.recomputer
    assert r.unknown_topics == {"domain.somewhere:Else.Happened": 1, ACTIVITY + "Teleported": 1}
    assert r.figures("2021")[0]["denominator"] == 1


@pytest.mark.parametrize("label, start, end", [
    ("2021", date(2021, 1, 1), date(2021, 12, 31)),
    (" 2021-S2 ", date(2021, 7, 1), date(2021, 12, 31)),
    ("2024-Q1", date(2024, 1, 1), date(2024, 3, 31)),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ("2021-01-01..2021-02-15", date(2021, 1, 1), date(2021, 2, 15)),
])
def test_periods(label, start, end):
    assert parse_period(label) == (start, end)


@pytest.mark.parametrize("label", ["2021-Q5", "2021-13", "2021-02-30..2021-03-01",
                                   "2021-03-02..2021-03-01", "21", "2021-H1", "２０２１"])
def test_periods_refused(label):
    with pytest.raises(ValueError):
        parse_period(label)


def test_compare_names_each_disagreement_and_ignores_names():
    recomputed = [{"code": "IKU-1", "numerator": 2, "denominator": 3, "percent": 66.67, "cancelled": 0,
                   "target": None, "capaian": None}]
    assert compare([{**recomputed[0], "name": "x", "percent": 66.67}], recomputed) == []
    assert compare([{**recomputed[0], "numerator": 2.0}], recomputed) == []  # the same number
    assert compare([{"code": "IKU-1", "numerator": 3, "denominator": 3, "percent": 100.0,
                     "cancelled": 0, "capaian": None, "target": 0}], recomputed) == [
        "IKU-1 numerator: dinyatakan 3, dihitung ulang 2",
        "IKU-1 percent: dinyatakan 100.0, dihitung ulang 66.67",
        "IKU-1 target: dinyatakan 0, dihitung ulang null",
    ]
    assert compare([{"code": "IKU-1", "numerator": 2, "denominator": 3, "percent": 66.67,
                     "cancelled": 0, "capaian": None}], recomputed) == [
        "IKU-1 target: dinyatakan (tidak ada), dihitung ulang null"]
    assert compare([*recomputed, {"code": "IKU-9"}], recomputed) == ["IKU-9: dinyatakan, tidak dihitung ulang"]


UCAPAN = "domain.ucapan:Ucapan."


def request(log: Log, n: int, due_on: str, leaders=("bupati",)) -> str:
    u = aid(1000 + n)
    log.add(u, UCAPAN + "UcapanRequested", kind="duka", recipient="r", relation="instansi", occasion="o",
            leaders=list(leaders), due_on=due_on, notes=None)
    return u


def deliver(log: Log, u: str, at: datetime, when: int | None = None) -> int:
    return log.add(u, UCAPAN + "UcapanDelivered", at=when, channel="surat", delivered_by=["a"],
                   delivered_at=instant(at), evidence=[], notes=None)


def test_the_ucapan_on_time_by_the_local_date_and_the_goal_indicator_summing_the_three_services():
    """Issue 14, independently of the service: PENDUKUNG-1 counts the ucapan due in the
    period, not cancelled, whose first live delivery's local date is on or before the due
    date; TUJUAN-1 is (served + documented + on time) / (2 × activities + ucapan)."""
    log = Log()
    log.schedule(aid(1), datetime(2021, 3, 1, 9, tzinfo=WIB))
    log.add(aid(1), ACTIVITY + "ProtocolServed", officers=["o"], notes=None)
    on_time = request(log, 1, "2021-03-02")
    deliver(log, on_time, datetime(2021, 3, 2, 23, 59, tzinfo=WIB))
    late = request(log, 2, "2021-03-02")
    deliver(log, late, datetime(2021, 3, 2, 17, 30, tzinfo=timezone.utc))  # 3 March 00.30 WIB
    retracted = request(log, 3, "2021-03-10", leaders=("wakil_bupati",))
    version = deliver(log, retracted, datetime(2021, 3, 9, 9, tzinfo=WIB))
    known_before_retraction = log.at
    log.add(retracted, UCAPAN + "DeliveryRetracted", retracted_version=version, reason="salah")
    cancelled = request(log, 4, "2021-03-15")
    log.add(cancelled, UCAPAN + "UcapanCancelled", reason="batal")
    request(log, 5, "2021-04-01")  # another month
    r = log.recomputer
    *_iku, supporting, goal = r.figures("2021-03")
    assert [supporting[k] for k in ("code", "numerator", "denominator", "cancelled", "percent")] == [
        "PENDUKUNG-1", 1, 3, 1, 33.33]
    assert [goal[k] for k in ("code", "numerator", "denominator", "cancelled", "percent")] == [
        "TUJUAN-1", 2, 5, 1, 40.0]
    assert r.figures("2021-03", known_before_retraction)[2]["numerator"] == 2  # as it was known then
    assert r.figures("2021-03", leader="wakil_bupati")[2][("denominator")] == 1
    assert r.figures("2021-03", zone="UTC")[2]["numerator"] == 2  # 2 March 17.30 UTC is on time in UTC


def test_a_report_of_before_the_ucapan_need_not_state_them_but_what_it_states_is_checked():
    log = Log()
    log.schedule(aid(1), datetime(2021, 3, 1, 9, tzinfo=WIB))
    recomputed = log.recomputer.figures("2021-03")
    assert compare(recomputed[:2], recomputed) == []
    wrong = [*recomputed[:2], {**recomputed[3], "numerator": 9}]
    assert compare(wrong, recomputed) == ["TUJUAN-1 numerator: dinyatakan 9, dihitung ulang 0"]
    assert compare(recomputed[1:], recomputed) == ["IKU-1: tidak dinyatakan, dihitung ulang"]
