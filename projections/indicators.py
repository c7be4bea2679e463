"""The indicators as data (SPEC §1, §5). Texts are the decree's own
(Keputusan Kepala Bagian Protokol dan Komunikasi Pimpinan Nomor 065/1433/35.09.1.33/2021).

An indicator counts, among the activities of the denominator (scheduled, not cancelled,
starting on a local date inside the period), those for which a *fact* holds
(`projections/facts.py`); adding an indicator of the same shape is adding a definition
here, not new code: the calculators, explain, diff, the API, the pages and the charts
iterate `INDICATORS`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .facts import FACTS, MEDIA_BITS

SUMBER_DATA = "Data dan Laporan Pengumpulan Laporan Kinerja PD"


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

    @property
    def name(self) -> str:
        return self.indikator

    def facts(self) -> list[str]:
        return [self.numerator_fact, *self.breakdown.values()]

    def __post_init__(self):
        unknown = [f for f in self.facts() if f not in FACTS]
        if unknown:
            raise ValueError(f"{self.code}: no fact {', '.join(unknown)} in projections/facts.py")


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
)


def all_facts(indicators=INDICATORS) -> list[str]:
    seen: dict[str, None] = {}
    for indicator in indicators:
        for fact in indicator.facts():
            seen[fact] = None
    return list(seen)
