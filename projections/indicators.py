"""The indicators as data (SPEC §1, §5). Texts are the decree's own
(Keputusan Kepala Bagian Protokol dan Komunikasi Pimpinan Nomor 065/1433/35.09.1.33/2021).

An indicator counts, among the records of its denominator — the activities (scheduled, not
cancelled, starting on a local date inside the period) or the ucapan (requested, not
cancelled, due on a local date inside the period): its `record` — those for which a *fact*
holds (`projections/facts.py`); adding an indicator of the same shape is adding a
definition here, not new code: the calculators, explain, diff, the API, the pages and the
charts iterate `INDICATORS`.

A goal indicator (`parts`) sums other indicators: its numerator is the sum of their
numerators, its denominator the sum of their denominators (docs/RULES.md, "The goal
indicator"); an office changes which indicators it sums without code (Config.indicators).

`kind` says what the office calls it: an IKU of the decree, the office's own supporting
indicator (indikator pendukung), or the decree's goal indicator (Indikator Tujuan).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from .facts import FACTS, MEDIA_BITS

SUMBER_DATA = "Data dan Laporan Pengumpulan Laporan Kinerja PD"
KINDS = ("iku", "pendukung", "tujuan")


@dataclass(frozen=True)
class Indicator:
    code: str
    kinerja_utama: str
    indikator: str
    formula: str
    numerator_label: str
    denominator_label: str
    penanggung_jawab: str
    sumber_data: str
    numerator_fact: str
    breakdown: dict[str, str] = field(default_factory=dict)  # key → fact
    record: str = "activity"  # what it counts: "activity" or "ucapan" (none for a goal)
    kind: str = "iku"  # "iku", "pendukung" or "tujuan"
    parts: tuple[str, ...] = ()  # a goal indicator: the codes of the indicators it sums

    @property
    def name(self) -> str:
        return self.indikator

    def facts(self) -> list[str]:
        return [] if self.parts else [self.numerator_fact, *self.breakdown.values()]

    def __post_init__(self):
        unknown = [f for f in self.facts() if f not in FACTS]
        if unknown:
            raise ValueError(f"{self.code}: no fact {', '.join(unknown)} in projections/facts.py")
        other = [f for f in self.facts() if FACTS[f].record != self.record]
        if other:
            raise ValueError(f"{self.code}: the fact {other[0]} is not of an {self.record}")
        if self.kind not in KINDS:
            raise ValueError(f"{self.code}: a kind is one of {', '.join(KINDS)}")


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        code="IKU-1",
        kinerja_utama=(
            "Terlaksananya kegiatan Pimpinan Daerah yang mendapat pelayanan keprotokolan"
        ),
        indikator="Persentase pelayanan keprotokolan atas kegiatan Bupati dan Wakil Bupati",
        formula=(
            "Jumlah kegiatan yang mendapat pelayanan keprotokolan / Jumlah kegiatan Bupati "
            "dan Wakil Bupati yang diagendakan × 100%"
        ),
        numerator_label="Jumlah kegiatan yang mendapat pelayanan keprotokolan",
        denominator_label="Jumlah kegiatan Bupati dan Wakil Bupati yang diagendakan",
        penanggung_jawab="Sub Bagian Protokol",
        sumber_data=SUMBER_DATA,
        numerator_fact="served",
    ),
    Indicator(
        code="IKU-2",
        kinerja_utama="Terdokumentasikannya kegiatan Pemerintah Kabupaten Jember",
        indikator=(
            "Persentase dokumentasi kegiatan Bupati dan Wakil Bupati dalam bentuk media luar "
            "ruang, foto dan video"
        ),
        formula=(
            "Jumlah kegiatan Bupati dan Wakil Bupati yang didokumentasikan / Jumlah kegiatan "
            "Bupati dan Wakil Bupati yang diagendakan × 100%"
        ),
        numerator_label="Jumlah kegiatan Bupati dan Wakil Bupati yang didokumentasikan",
        denominator_label="Jumlah kegiatan Bupati dan Wakil Bupati yang diagendakan",
        penanggung_jawab="Sub Bagian Dokumentasi Pimpinan",
        sumber_data=SUMBER_DATA,
        numerator_fact="documented",
        breakdown={m: f"media:{m}" for m in MEDIA_BITS},
    ),
    Indicator(
        code="PENDUKUNG-1",
        kinerja_utama="Tersampaikannya ucapan duka dan selamat Pimpinan Daerah kepada pihak terkait",
        indikator="Persentase ucapan duka dan selamat pimpinan yang tersampaikan tepat waktu",
        formula=(
            "Jumlah ucapan duka dan selamat yang tersampaikan paling lambat pada tanggal "
            "jatuh temponya / Jumlah ucapan duka dan selamat yang diminta dan tidak "
            "dibatalkan × 100%"
        ),
        numerator_label="Jumlah ucapan yang tersampaikan tepat waktu",
        denominator_label="Jumlah ucapan duka dan selamat yang diminta",
        penanggung_jawab="Sub Bagian Protokol",
        sumber_data="Catatan ucapan duka dan selamat Bagian Protokol dan Komunikasi Pimpinan",
        numerator_fact="delivered_on_time",
        record="ucapan",
        kind="pendukung",
    ),
    Indicator(
        code="TUJUAN-1",
        # The decree's Indikator Tujuan, quoted; the formula is the office's default.
        kinerja_utama="Mendukung Bupati dan Wakil Bupati dalam pelaksanaan tugasnya",  # the Tujuan
        indikator=(
            "Persentase pelayanan protokoler pimpinan daerah, komunikasi pimpinan daerah kepada "
            "pihak terkait, dan pendokumentasian tugas/kegiatan pimpinan daerah"
        ),
        formula=(
            "(Jumlah kegiatan yang mendapat pelayanan keprotokolan + Jumlah kegiatan yang "
            "didokumentasikan + Jumlah ucapan yang tersampaikan tepat waktu) / (2 × Jumlah "
            "kegiatan yang diagendakan + Jumlah ucapan yang diminta dan tidak dibatalkan) × 100%"
        ),
        numerator_label="Jumlah layanan yang terlaksana",
        denominator_label="Jumlah layanan yang menjadi kewajiban",
        penanggung_jawab="Kepala Bagian Protokol dan Komunikasi Pimpinan",
        sumber_data=SUMBER_DATA,
        numerator_fact="",
        record="",
        kind="tujuan",
        parts=("IKU-1", "IKU-2", "PENDUKUNG-1"),
    ),
)


def all_facts(indicators=INDICATORS, record: str = "activity") -> list[str]:
    """The facts the indicators of `record` count, each once."""
    seen: dict[str, None] = {}
    for indicator in indicators:
        if indicator.record == record:
            for fact in indicator.facts():
                seen[fact] = None
    return list(seen)


def check_indicators(indicators) -> None:
    """Codes are unique; a goal sums indicators defined before it, and no goal."""
    seen: dict[str, Indicator] = {}
    for indicator in indicators:
        if indicator.code in seen:
            raise ValueError(f"the indicator {indicator.code} is defined twice")
        for part in indicator.parts:
            if part not in seen or seen[part].parts:
                raise ValueError(f"{indicator.code}: {part} is not an indicator defined before it")
        seen[indicator.code] = indicator


def with_goal_parts(indicators, parts: tuple[str, ...]):
    """The indicators with each goal summing `parts` instead (IKU_TUJUAN: an office's own
    definition, without code), its formula written from their labels."""
    by_code = {i.code: i for i in indicators}
    formula = (f"({' + '.join(by_code[p].numerator_label for p in parts)}) / "
               f"({' + '.join(by_code[p].denominator_label for p in parts)}) × 100%")
    return tuple(replace(i, parts=tuple(parts), formula=formula) if i.parts and tuple(parts) != i.parts else i
                 for i in indicators)
