"""The indicators as data (SPEC §1, §5). Texts are the decree's own
(Keputusan Kepala Bagian Protokol dan Komunikasi Pimpinan Nomor 065/1433/35.09.1.33/2021).

An indicator counts, among the activities of the denominator (scheduled, not cancelled,
starting on a local date inside the period), those for which a *fact* holds. The facts are
the columns the bitemporal view keeps for each version of an activity; adding an indicator
of the same shape is adding a definition here, not new code.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# fact name → SQL predicate over a row of the activity_versions view.
FACTS = {
    "served": "served <> 0",
    "documented": "media <> 0",
    "media:media_luar_ruang": "(media & 1) <> 0",
    "media:foto": "(media & 2) <> 0",
    "media:video": "(media & 4) <> 0",
}
MEDIA_BITS = {"media_luar_ruang": 1, "foto": 2, "video": 4}
LEADER_BITS = {"bupati": 1, "wakil_bupati": 2}

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
