"""The service layer, against a temporary SQLite store: one role table, one fingerprint,
one normalisation, one error→status table, one as_of parser, for every entrypoint."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from api.bootstrap import Services
from api.service_layer import commands, errors, idempotency, parsing, permissions, queries
from api.users import LoginRefused, User, Users, throttle
from domain import exceptions as d
from projections.periods import Period

WIB = timezone(timedelta(hours=7))
PROTOKOL, DOKUMENTASI, INSPEKTORAT = User("ani", "protokol"), User("dina", "dokumentasi"), User("irma", "inspektorat")
SCHEDULE = dict(title="Rapat", leaders=["bupati"], starts_at=datetime(2021, 3, 1, 9, tzinfo=WIB),
                location="Pendopo", scope="dalam_daerah")


@pytest.fixture
def svc(tmp_path):
    services = Services(str(tmp_path / "iku.sqlite3"), "Asia/Jakarta")
    yield services
    services.close()


def test_a_command_runs_as_the_user_and_a_role_without_the_permission_is_refused(svc):
    written = commands.schedule(svc, PROTOKOL, **SCHEDULE)
    assert svc.agenda.history(written.activity_id)[0].actor == "ani"
    with pytest.raises(d.NotPermitted):
        commands.schedule(svc, INSPEKTORAT, **SCHEDULE)
    with pytest.raises(d.NotPermitted):
        commands.record_protocol(svc, DOKUMENTASI, written.activity_id, officers=["Ani"])
    with pytest.raises(d.NotPermitted):
        commands.retract(svc, INSPEKTORAT, written.activity_id, version=1, reason="x")
    assert len(svc.agenda.history(written.activity_id)) == 1


def test_each_role_retracts_only_its_own_kind_of_entry(svc):
    activity = commands.schedule(svc, PROTOKOL, **SCHEDULE).activity_id
    served = commands.record_protocol(svc, PROTOKOL, activity, officers=["Ani"]).version
    documented = commands.record_documentation(svc, DOKUMENTASI, activity, media="foto").version
    with pytest.raises(d.NotPermitted):
        commands.retract(svc, PROTOKOL, activity, version=documented, reason="salah")
    with pytest.raises(d.NotPermitted):
        commands.retract(svc, DOKUMENTASI, activity, version=served, reason="salah")
    assert commands.retract(svc, DOKUMENTASI, activity, version=documented, reason="salah").version == 4


def test_values_are_normalised_once_whoever_sends_them(svc):
    activity = commands.schedule(svc, PROTOKOL, **{**SCHEDULE, "title": "  Rapat  ", "notes": "   "}).activity_id
    commands.record_documentation(svc, DOKUMENTASI, activity, media="foto", evidence_sha256=" " + "AB" * 32)
    state = queries.activity(svc, INSPEKTORAT, activity, None)
    assert (state.title, state.notes, state.documentation[0]["evidence_sha256"]) == ("Rapat", None, "ab" * 32)
    with pytest.raises(d.InvalidActivityData) as refused:
        commands.cancel(svc, PROTOKOL, activity, reason="   ")
    assert refused.value.field == "reason"


def test_the_same_command_has_one_fingerprint_and_a_replay_appends_nothing(svc):
    first = commands.schedule(svc, PROTOKOL, key="k1", **SCHEDULE)
    again = commands.schedule(svc, PROTOKOL, key="k1", **SCHEDULE)
    assert again.replayed and again.position == first.position
    for other in ("Rapat lain", " Rapat"):  # another body, even if only by its spaces (SPEC §4)
        with pytest.raises(d.IdempotencyKeyReused):
            commands.schedule(svc, PROTOKOL, key="k1", **{**SCHEDULE, "title": other})
    a = idempotency.claim("ani", "k", "cancel", first.activity_id, {"reason": "x"}, 1)
    b = idempotency.claim("ani", "k", "cancel", first.activity_id, {"reason": "x"}, 2)
    assert a.fingerprint != b.fingerprint  # If-Match is part of the request


def test_the_role_is_checked_before_the_values(svc):
    with pytest.raises(d.NotPermitted):
        commands.schedule(svc, INSPEKTORAT, **{**SCHEDULE, "title": "   "})
    with pytest.raises(d.NotPermitted):
        commands.set_target(svc, PROTOKOL, indicator="IKU-9", year=2021, target=90)


def test_queries_answer_dataclasses_and_check_the_role(svc):
    commands.schedule(svc, PROTOKOL, **SCHEDULE)
    result = queries.iku(svc, INSPEKTORAT, Period.parse("2021-Q1"))
    assert [(f.code, f.numerator, f.denominator) for f in result.indicators] == [("IKU-1", 0, 1), ("IKU-2", 0, 1), ("PENDUKUNG-1", 0, 0), ("TUJUAN-1", 0, 2)]
    assert result.report is None and result.year_to_date.period.label == "2021-01-01..2021-03-31"
    with pytest.raises(d.NotPermitted):
        queries.iku(svc, User("x", "nobody"), Period.parse("2021-Q1"))


def test_every_domain_error_has_one_status():
    assert errors.status_of(d.NotPermitted("x")) == 403
    assert errors.status_of(d.ActivityNotFound("x")) == 404
    assert errors.status_of(d.StaleVersion("x")) == 409
    assert errors.status_of(d.InvalidActivityData("x")) == 422
    for cls in (d.ActivityIsCancelled, d.EntryNotRetractable, d.ConcurrentWrite, d.ClockRefused, d.IdempotencyKeyReused):
        assert errors.status_of(cls("x")) in (409, 422)


@pytest.mark.parametrize(("text", "expected"), [
    ("2021-03-01T09:00:00+07:00", datetime(2021, 3, 1, 9, tzinfo=WIB)),
    ("2021-03-01T09:00:00 07:00", datetime(2021, 3, 1, 9, tzinfo=WIB)),  # '+' read from a query string
    ("2021-03-01T02:00Z", datetime(2021, 3, 1, 2, tzinfo=timezone.utc)),
    ("2021-03-01", datetime(2021, 3, 1, 23, 59, 59, 999999, tzinfo=ZoneInfo("Asia/Jakarta"))),
    ("", None),
])
def test_one_parser_reads_every_as_of(text, expected):
    assert parsing.parse_as_of(text, ZoneInfo("Asia/Jakarta")) == expected


@pytest.mark.parametrize("text", ["2021-03-01T09:00:00", "besok", "2021-02-30", "２０２１-03-01",
                                  "2021-W10-3T09:00:00+07:00", "20210310T090000+0700"])
def test_the_parser_refuses_what_is_not_rfc_3339(text):
    with pytest.raises(parsing.InvalidInstant):
        parsing.parse_as_of(text, ZoneInfo("Asia/Jakarta"))


def test_a_date_alone_is_the_end_of_that_local_day():
    assert parsing.resolve_as_of(date(2021, 3, 1), ZoneInfo("Asia/Jakarta")).isoformat() == \
        "2021-03-01T23:59:59.999999+07:00"


def test_the_role_table_is_the_one_every_entrypoint_asks():
    assert permissions.may("protokol", "retract_protocol") and not permissions.may("protokol", "retract_documentation")
    assert permissions.retractable_kinds(User("a", "admin")) == ("protocol", "documentation")
    with pytest.raises(d.NotPermitted):
        permissions.retractable_kinds(User("p", "pimpinan"))


def test_the_login_throttle_follows_the_injected_clock(svc):
    users: Users = svc.users
    users.create("ani", "protokol")
    users.set_password("ani", "kata-sandi-yang-benar")
    now, interval = 1_000_000_000_000, throttle.USER.interval
    for _ in range(throttle.USER.burst - 1):
        with pytest.raises(LoginRefused) as refused:
            users.login("ani", "salah", address="10.0.0.9", now=now)
        assert refused.value.locked_for == 0
    with pytest.raises(LoginRefused) as refused:  # the last free attempt tells the wait
        users.login("ani", "salah", address="10.0.0.9", now=now)
    assert refused.value.locked_for == interval // throttle.SECOND
    with pytest.raises(LoginRefused):  # even the right password, while it lasts
        users.login("ani", "kata-sandi-yang-benar", address="10.0.0.9", now=now + interval - 1)
    assert users.login("ani", "kata-sandi-yang-benar", address="10.0.0.9", now=now + interval).name == "ani"


def test_the_throttles_buckets_are_the_devices_or_the_names_and_the_addresses():
    assert throttle.buckets("ani", "10.0.0.9", "d1") == {"device:d1": throttle.DEVICE}
    assert throttle.buckets("ani", "10.0.0.9", None) == {throttle.user_bucket("ani"): throttle.USER, "address:10.0.0.9": throttle.ADDRESS}
    assert len(throttle.user_bucket("x" * 10**6)) == len(throttle.user_bucket("ani")) < 80
    assert throttle.client_network("2001:db8:1:2:3:4:5:6") == throttle.client_network("2001:db8:1:2::99") == "2001:db8:1:2::/64"
    assert throttle.client_network("::ffff:10.0.0.9") == "10.0.0.9"
    assert throttle.client_network(None) == throttle.client_network("bukan alamat") == "unknown"
    rate = throttle.Rate(burst=2, interval=10)
    assert rate.take(None, 100) == (110, 0) and rate.take(110, 100) == (120, 0)
    assert rate.take(120, 100) == (120, 10) and rate.take(120, 110) == (130, 0)