"""A realistic demo year for both leaders, posted through the service layer's commands (as
the staff would, each with their role) on a simulated clock.

Every fact is recorded at a plausible moment of 2021 (scheduled days ahead, served on the
day, documented within days, some entered weeks late, some retracted, rescheduled or
cancelled). recorded_at can never be backdated, so the demo moves a simulated clock, which
only a database permanently marked as a demo accepts."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.store.clock import SimulatedClock, SystemClock, to_datetime
from projections.periods import Period

from ..users import User
from . import commands, ucapan

KECAMATAN = (
    "Ajung", "Ambulu", "Arjasa", "Balung", "Bangsalsari", "Gumukmas", "Jelbuk", "Jenggawah",
    "Jombang", "Kalisat", "Kaliwates", "Kencong", "Ledokombo", "Mayang", "Mumbulsari",
    "Pakusari", "Panti", "Patrang", "Puger", "Rambipuji", "Semboro", "Silo", "Sukorambi",
    "Sukowono", "Sumberbaru", "Sumberjambe", "Sumbersari", "Tanggul", "Tempurejo",
    "Umbulsari", "Wuluhan",
)
DALAM = (
    ("Rapat Koordinasi {topic}", "Rapat"),
    ("Kunjungan Kerja ke Kecamatan {kec}", "Kunjungan kerja"),
    ("Peresmian {thing} di Kecamatan {kec}", "Peresmian"),
    ("Upacara {ceremony}", "Upacara"),
    ("Audiensi dengan {group}", "Audiensi"),
    ("Safari Jumat di Masjid Kecamatan {kec}", "Keagamaan"),
    ("Penyerahan Bantuan {aid} di Kecamatan {kec}", "Sosial"),
    ("Rapat Paripurna DPRD Kabupaten Jember", "Rapat"),
)
LUAR = (
    ("Rapat Koordinasi di Pemerintah Provinsi Jawa Timur, Surabaya", "Rapat"),
    ("Kunjungan Kerja ke Kementerian {ministry}, Jakarta", "Kunjungan kerja"),
    ("Pertemuan Bupati se-Jawa Timur, Malang", "Rapat"),
)
TOPICS = ("Penanganan Stunting", "Percepatan Vaksinasi", "Ketahanan Pangan", "Pengendalian Inflasi",
          "Penanggulangan Bencana", "Pendapatan Asli Daerah", "Pelayanan Publik")
THINGS = ("Jembatan", "Puskesmas", "Pasar Rakyat", "Gedung Sekolah", "Jalan Desa", "Posyandu")
CEREMONIES = ("Hari Kesadaran Nasional", "Hari Jadi Kabupaten Jember", "Hari Pahlawan",
              "Peringatan HUT RI", "Hari Sumpah Pemuda")
GROUPS = ("Forkopimda", "Ulama dan Tokoh Masyarakat", "Kelompok Tani", "Pengusaha Tembakau",
          "Paguyuban Kepala Desa", "Mahasiswa Universitas Jember")
AIDS = ("Sembako", "Alat Pertanian", "Beasiswa", "Rumah Layak Huni")
# The pimpinan's penjelasan of each triwulan's figures (the LKjIP's analysis column).
DEMO_NOTES = (
    "Sebagian kegiatan mendadak (undangan kurang dari satu hari) belum mendapat pelayanan keprotokolan; "
    "piket protokol hari libur mulai Maret.",
    "Capaian naik setelah piket protokol hari libur; dokumentasi kunjungan kerja luar daerah masih tertinggal.",
    "Capaian di atas target: tim dokumentasi ditambah dua orang dan unggahan foto dari lapangan.",
    "Agenda akhir tahun padat; beberapa kegiatan dibatalkan setelah lewat waktunya dan dicatat terlambat.",
)
MINISTRIES = ("Dalam Negeri", "Pertanian", "PUPR", "Kesehatan")
# The leaders' condolences and congratulations (issue 14): to whom, for what, and how.
UCAPAN_DUKA = (("Keluarga almarhum H. {man}", "tokoh_masyarakat", "Wafatnya H. {man}, tokoh masyarakat Kecamatan {kec}"),
               ("Keluarga almarhumah Ibu {woman}", "keluarga_asn", "Wafatnya Ibu {woman}, ASN Kecamatan {kec}"),
               ("Keluarga besar Pondok Pesantren {pesantren}", "tokoh_agama",
                "Wafatnya pengasuh Pondok Pesantren {pesantren}"),
               ("Warga Desa {desa}, Kecamatan {kec}", "masyarakat", "Bencana banjir di Desa {desa}"))
UCAPAN_SELAMAT = (("Kapolres Jember", "pejabat", "Pelantikan Kapolres Jember"),
                  ("Universitas Jember", "instansi", "Dies Natalis Universitas Jember"),
                  ("Bapak {man}", "pejabat", "Pelantikan Camat {kec}"),
                  ("PSSI Askab Jember", "organisasi", "Juara turnamen sepak bola tingkat provinsi"),
                  ("Pengurus Cabang Nahdlatul Ulama Jember", "organisasi", "Hari lahir Nahdlatul Ulama"))
MEN = ("Abdul Rahman", "Suroso", "Mahmud", "Hasan Basri", "Slamet Riyadi")
WOMEN = ("Siti Aminah", "Sri Wahyuni", "Khotimah", "Endang Lestari")
PESANTREN = ("Al-Amien", "Nurul Islam", "Darul Falah", "Miftahul Ulum")
DESA = ("Sukorejo", "Karangrejo", "Sumberejo", "Kemuning")
CHANNELS = ("karangan_bunga", "karangan_bunga", "surat", "kunjungan_langsung", "media_sosial",
            "iklan_media_cetak")
OFFICERS = ("Ahmad Fauzi", "Siti Rahmawati", "Budi Santoso", "Dewi Lestari", "Rizky Pratama",
            "Nur Hidayah", "Eko Wahyudi")
STAFF = {"protokol": ("protokol.ani", "protokol.budi"),
         "dokumentasi": ("dokumentasi.citra", "dokumentasi.dedi")}

def clock_instant(clock: SimulatedClock) -> datetime:
    return to_datetime(clock.now())


COMMANDS = {"reschedule": commands.reschedule, "cancel": commands.cancel,
            "protocol": commands.record_protocol, "documentation": commands.record_documentation}


@dataclass(order=True)
class Step:
    at: datetime
    seq: int
    actor: str = field(compare=False)
    action: str = field(compare=False)
    key: int = field(compare=False)
    data: dict = field(compare=False, default_factory=dict)


def plan_year(year: int, zone: ZoneInfo, seed: int, per_day: float = 5.4) -> list[Step]:
    rng = random.Random(seed)
    steps: list[Step] = []
    seq = 0
    last_at: dict[int, datetime] = {}

    def add(at, actor, action, key, **data) -> int:
        """Add a step; an activity's steps stay in the order they were planned."""
        nonlocal seq
        seq += 1
        if key in last_at and at <= last_at[key]:
            at = last_at[key] + timedelta(minutes=rng.randint(1, 30))
        last_at[key] = at
        steps.append(Step(at, seq, actor, action, key, data))
        return seq

    day = date(year, 1, 1)
    key = 0
    while day.year == year:
        count = rng.choice((1, 2, 3, 4, 5, 6, 7)) if day.weekday() < 5 else rng.choice((0, 1, 2))
        count = max(0, round(count * per_day / 4.1))
        for _ in range(count):
            key += 1
            outside = rng.random() < 0.08
            template, category = rng.choice(LUAR if outside else DALAM)
            title = template.format(
                topic=rng.choice(TOPICS), kec=rng.choice(KECAMATAN), thing=rng.choice(THINGS),
                ceremony=rng.choice(CEREMONIES), group=rng.choice(GROUPS), aid=rng.choice(AIDS),
                ministry=rng.choice(MINISTRIES),
            )
            starts = datetime.combine(day, time(rng.randint(7, 20), rng.choice((0, 15, 30))), zone)
            leaders = rng.choices(
                (["bupati"], ["wakil_bupati"], ["bupati", "wakil_bupati"]), (50, 35, 15)
            )[0]
            location = ("Pendopo Wahyawibawagraha" if rng.random() < 0.3
                        else f"Kecamatan {rng.choice(KECAMATAN)}")
            if outside:
                location = title.rsplit(", ", 1)[-1]
            planned = starts - timedelta(days=rng.randint(1, 14), hours=rng.randint(0, 8))
            planned = max(planned, datetime(year - 1, 12, 20, 8, tzinfo=zone))
            protokol = rng.choice(STAFF["protokol"])
            add(planned, protokol, "schedule", key, title=title, leaders=leaders,
                starts_at=starts, ends_at=starts + timedelta(hours=rng.choice((1, 2, 3))),
                location=location, scope="luar_daerah" if outside else "dalam_daerah",
                category=category)
            if rng.random() < 0.10:  # moved, sometimes across a month or quarter boundary
                new_start = starts + timedelta(days=rng.choice((-2, -1, 1, 2, 3, 7)),
                                               hours=rng.choice((-3, 0, 2)))
                moved_at = min(planned + (starts - planned) / 2, new_start - timedelta(hours=2))
                moved_at = max(moved_at, planned + timedelta(minutes=5))
                add(moved_at, protokol, "reschedule", key, starts_at=new_start,
                    ends_at=new_start + timedelta(hours=2), reason="Perubahan jadwal pimpinan")
                starts = new_start
            if rng.random() < 0.05:
                cancel_at = max(planned + timedelta(hours=1), starts - timedelta(hours=rng.randint(2, 48)))
                add(cancel_at, protokol, "cancel", key,
                    reason=rng.choice(("Pimpinan berhalangan hadir", "Acara ditunda oleh penyelenggara")))
                continue
            if rng.random() < 0.93:  # protocol service given, usually entered the same day
                late = rng.random() < 0.08
                served_at = starts + (timedelta(days=rng.randint(8, 40)) if late
                                      else timedelta(hours=rng.randint(1, 6)))
                entry = add(served_at, rng.choice(STAFF["protokol"]), "protocol", key,
                            officers=rng.sample(OFFICERS, rng.randint(1, 3)))
                if rng.random() < 0.02:
                    add(served_at + timedelta(days=rng.randint(1, 10)), protokol, "retract", key,
                        entry=entry, reason="Salah input kegiatan")
            for media, chance in (("foto", 0.85), ("video", 0.35), ("media_luar_ruang", 0.08)):
                if rng.random() < chance:
                    late = rng.random() < 0.07
                    doc_at = starts + (timedelta(days=rng.randint(10, 45)) if late
                                       else timedelta(hours=rng.randint(2, 48)))
                    staff = rng.choice(STAFF["dokumentasi"])
                    entry = add(doc_at, staff, "documentation", key, media=media,
                                evidence_uri=f"https://dokumentasi.jemberkab.go.id/{year}/{key}/{media}")
                    if rng.random() < 0.03:
                        add(doc_at + timedelta(days=rng.randint(1, 7)), staff, "retract", key,
                            entry=entry, reason="Dokumentasi bukan dari kegiatan ini")
        day += timedelta(days=1)
    _plan_ucapan(year, zone, rng, add)
    # The head of division sets the year's targets in January (and revises one mid-year), and
    # submits each triwulan's figures about ten days after it ends; entries made later than
    # that become restatements of the submitted report.
    add(datetime(year, 1, 8, 10, tzinfo=zone), "pimpinan", "target", -1, indicator="IKU-1", target="90")
    add(datetime(year, 1, 8, 10, 5, tzinfo=zone), "pimpinan", "target", -2, indicator="IKU-2", target="85")
    add(datetime(year, 7, 5, 9, tzinfo=zone), "pimpinan", "target", -2, indicator="IKU-2", target="88",
        reason="Revisi Perjanjian Kinerja setelah evaluasi semester I")
    for quarter, (month, day) in enumerate(((4, 10), (7, 9), (10, 8), (1, 10)), start=1):
        at = datetime(year + (quarter == 4), month, day, 14, tzinfo=zone)
        add(at, "pimpinan", "report", -10 - quarter, period=f"{year}-Q{quarter}", note=DEMO_NOTES[quarter - 1])
    steps.sort()
    return steps


def _plan_ucapan(year: int, zone: ZoneInfo, rng: random.Random, add) -> None:
    """About three hundred ucapan a year: most delivered by their due date, some late, a few
    cancelled, now and then a delivery recorded in error and retracted."""
    day, key = date(year, 1, 1), 100_000
    while day.year == year:
        for _ in range(rng.choice((0, 0, 1, 1, 1, 2))):
            key += 1
            kind = "duka" if rng.random() < 0.55 else "selamat"
            names = {"man": rng.choice(MEN), "woman": rng.choice(WOMEN), "kec": rng.choice(KECAMATAN),
                     "pesantren": rng.choice(PESANTREN), "desa": rng.choice(DESA)}  # one set per ucapan: its recipient and occasion agree
            recipient, relation, occasion = (part.format(**names)
                                             for part in rng.choice(UCAPAN_DUKA if kind == "duka" else UCAPAN_SELAMAT))
            asked = datetime.combine(day, time(rng.randint(7, 19), rng.choice((0, 20, 40))), zone)
            due = day + timedelta(days=0 if kind == "duka" and rng.random() < 0.6 else rng.randint(1, 3))
            leaders = rng.choices((["bupati"], ["wakil_bupati"], ["bupati", "wakil_bupati"]), (55, 30, 15))[0]
            protokol = rng.choice(STAFF["protokol"])
            add(asked, protokol, "request_ucapan", key, kind=kind, recipient=recipient, relation=relation,
                occasion=occasion, leaders=leaders, due_on=due.isoformat())
            roll = rng.random()
            if roll < 0.03:
                add(asked + timedelta(hours=rng.randint(1, 20)), protokol, "cancel_ucapan", key,
                    reason=rng.choice(("Keluarga tidak berkenan menerima karangan bunga", "Permintaan ganda")))
                continue
            late = roll > 0.88
            delivered = (datetime.combine(due + timedelta(days=rng.randint(1, 4)), time(10), zone) if late
                         else asked + timedelta(hours=rng.randint(1, 20)))
            if not late and delivered.date() > due:
                delivered = datetime.combine(due, time(rng.randint(7, 17)), zone)
            entry = add(delivered + timedelta(minutes=rng.randint(10, 240)), protokol, "deliver_ucapan", key,
                        channel=rng.choice(CHANNELS), delivered_by=rng.sample(OFFICERS, rng.randint(1, 2)),
                        delivered_at=delivered)
            if rng.random() < 0.015:
                add(delivered + timedelta(days=1), protokol, "retract_delivery", key, entry=entry,
                    reason="Salah mencatat penerima")
        day += timedelta(days=1)


UCAPAN_COMMANDS = {"deliver_ucapan": ucapan.deliver_ucapan, "cancel_ucapan": ucapan.cancel_ucapan}


def run_demo(svc, zone: ZoneInfo, year: int = 2021, seed: int = 2021,
             progress=None, per_day: float = 5.4) -> int:
    """Post the planned year through the service layer. Returns the number of steps run.
    Each step's actor has the role its name starts with (protokol.ani: protokol)."""
    agenda = svc.agenda
    steps = plan_year(year, zone, seed, per_day)
    clock = SimulatedClock(steps[0].at)
    agenda.use_clock(clock)
    ids: dict[int, object] = {}
    versions: dict[int, int] = {}  # step seq → version of the event it recorded
    recorded = 0
    try:
        # Each actor's account first, as the operator makes them: the log gives every
        # event's actor its role (the witness and verify-export hold each event to it).
        for actor in sorted({step.actor for step in steps}):
            if svc.users.get(actor) is None:
                svc.users.create(actor, actor.split(".")[0], token=False, reason="akun demo", by="system:cli")
        for step in steps:
            clock.set(step.at.astimezone(UTC))
            user = User(step.actor, step.actor.split(".")[0])
            data = dict(step.data)
            if step.action == "target":
                commands.set_target(svc, user, year=year, **data)
            elif step.action == "report":
                commands.submit_report(svc, user, Period.parse(data["period"]), clock_instant(clock),
                                       note=data.get("note"))
            elif step.action == "schedule":
                ids[step.key] = commands.schedule(svc, user, **data).activity_id
                versions[step.seq] = 1
            elif step.action == "request_ucapan":
                ids[step.key] = ucapan.request_ucapan(svc, user, **data).activity_id
            elif step.action == "retract_delivery":
                version = versions[data.pop("entry")]
                ucapan.retract_delivery(svc, user, ids[step.key], version=version, **data)
            elif step.action in UCAPAN_COMMANDS:
                versions[step.seq] = UCAPAN_COMMANDS[step.action](svc, user, ids[step.key], **data).version
            elif step.action == "retract":
                version = versions[data.pop("entry")]
                versions[step.seq] = commands.retract(svc, user, ids[step.key], version=version, **data).version
            else:
                versions[step.seq] = COMMANDS[step.action](svc, user, ids[step.key], **data).version
            recorded += 1
            if progress is not None:
                progress(1)
    finally:
        agenda.use_clock(SystemClock())
    return recorded
