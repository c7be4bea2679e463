"""The demo year's plan (api/service_layer/demo.py): what a newcomer sees is realistic."""
from zoneinfo import ZoneInfo

from api.service_layer.demo import plan_year


def test_the_demo_year_has_a_few_hundred_ucapan_some_late_some_cancelled_and_a_retraction():
    """Issue 14: the leaders' condolences and congratulations of the demo year."""
    zone = ZoneInfo("Asia/Jakarta")
    steps = plan_year(2021, zone, 2021)
    requested = {s.key: s for s in steps if s.action == "request_ucapan"}
    delivered = {s.key: s for s in steps if s.action == "deliver_ucapan"}
    assert 200 <= len(requested) <= 400
    assert {s.data["kind"] for s in requested.values()} == {"duka", "selamat"}
    late = [k for k, s in delivered.items()
            if s.data["delivered_at"].astimezone(zone).date().isoformat() > requested[k].data["due_on"]]
    assert 0.03 * len(requested) < len(late) < 0.25 * len(requested)
    assert sum(s.action == "cancel_ucapan" for s in steps) >= 3
    assert sum(s.action == "retract_delivery" for s in steps) >= 1
    assert all(s.at >= requested[s.key].at for s in steps if s.key in requested and s.action != "request_ucapan")


def test_an_ucapans_recipient_and_occasion_name_the_same_person_or_place():
    steps = plan_year(2021, ZoneInfo("Asia/Jakarta"), 2021)
    for s in (s for s in steps if s.action == "request_ucapan"):
        recipient, occasion = s.data["recipient"], s.data["occasion"]
        if recipient.startswith(("Keluarga almarhum H. ", "Keluarga almarhumah Ibu ")):
            assert recipient.split(" ", 3)[3] in occasion, (recipient, occasion)
        if recipient.startswith("Warga Desa "):
            assert recipient.split(",")[0].removeprefix("Warga ") in occasion
        assert not recipient.startswith("Bapak Siti")
