"""Names of the domain's values as users read them, in their language."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from projections.facts import FACTS


# Each name translated when it is shown (a page names hundreds of events: one lookup each).
NAMES = {
    "role": {"admin": _l("Admin"), "protokol": _l("Sub Bagian Protokol"),
             "dokumentasi": _l("Sub Bagian Dokumentasi Pimpinan"),
             "pimpinan": _l("Pimpinan (Kepala Bagian)"), "inspektorat": _l("Inspektorat")},
    "leader": {"bupati": _l("Bupati"), "wakil_bupati": _l("Wakil Bupati")},
    "media": {"media_luar_ruang": _l("Media luar ruang"), "foto": _l("Foto"), "video": _l("Video")},
    "scope": {"dalam_daerah": _l("Dalam daerah"), "luar_daerah": _l("Luar daerah")},
    "status": {"scheduled": _l("Terjadwal"), "cancelled": _l("Dibatalkan"),
               "cancelled_late": _l("Dibatalkan setelah lewat"),
               "served": _l("Mendapat pelayanan keprotokolan"), "documented": _l("Terdokumentasi"),
               "unserved": _l("Belum dilayani"), "undocumented": _l("Belum didokumentasikan")},
    "event": {"ActivityScheduled": _l("Dijadwalkan"), "ActivityRescheduled": _l("Dijadwalkan ulang"),
              "ActivityCancelled": _l("Dibatalkan"), "ProtocolServed": _l("Pelayanan keprotokolan"),
              "Documented": _l("Didokumentasikan"), "EntryRetracted": _l("Ralat"),
              "UcapanRequested": _l("Diminta"), "UcapanDelivered": _l("Disampaikan"),
              "UcapanCancelled": _l("Dibatalkan"), "DeliveryRetracted": _l("Ralat penyampaian")},
    "ucapan_kind": {"duka": _l("Ucapan duka"), "selamat": _l("Ucapan selamat")},
    "relation": {"instansi": _l("Instansi"), "pejabat": _l("Pejabat"), "tokoh_masyarakat": _l("Tokoh masyarakat"),
                 "tokoh_agama": _l("Tokoh agama"), "organisasi": _l("Organisasi"),
                 "keluarga_asn": _l("Keluarga ASN"), "masyarakat": _l("Masyarakat"), "lainnya": _l("Lainnya")},
    "channel": {"karangan_bunga": _l("Karangan bunga"), "surat": _l("Surat"),
                "kunjungan_langsung": _l("Kunjungan langsung"), "media_sosial": _l("Media sosial"),
                "iklan_media_cetak": _l("Iklan media cetak")},
    "ucapan_status": {"counted": _l("Diminta (tidak dibatalkan)"), "on_time": _l("Tersampaikan tepat waktu"),
                      "open": _l("Belum disampaikan"), "overdue": _l("Lewat jatuh tempo"),
                      "delivered": _l("Tersampaikan"), "late": _l("Tersampaikan terlambat"),
                      "cancelled": _l("Dibatalkan")},
    "indicator_kind": {"iku": _l("Indikator Kinerja Utama"), "pendukung": _l("Indikator pendukung (kantor)"),
                       "tujuan": _l("Indikator Tujuan")},
    "account": {"AccountCreated": _l("Dibuat"), "RoleChanged": _l("Peran diubah"),
                "AccountDisabled": _l("Dinonaktifkan"), "AccountEnabled": _l("Diaktifkan kembali"),
                "ProfileChanged": _l("Profil diubah"), "PasswordReset": _l("Kata sandi diatur ulang"),
                "PasswordChanged": _l("Kata sandi diubah sendiri"), "TokenIssued": _l("Token API dibuat")},
    "target_event": {"TargetSet": _l("ditetapkan"), "TargetChanged": _l("diubah")},
    "quick": {"hari ini": _l("Hari ini"), "minggu ini": _l("Minggu ini"), "bulan ini": _l("Bulan ini"),
              "minggu depan": _l("Minggu depan")},
}
PARTS = {"denominator": _l("Kegiatan yang diagendakan"), "cancelled": _l("Dibatalkan")}


def label(kind: str, value: str) -> str:
    if kind == "part":  # a fact's label is its own (projections/facts.py), translated by the catalog
        fact = FACTS.get(value)
        return _(fact.label) if fact is not None else str(PARTS.get(value, value))
    return str(NAMES.get(kind, {}).get(value, value))


def init_app(app) -> None:
    app.jinja_env.globals["label"] = label
    app.jinja_env.filters["leader_label"] = lambda v: label("leader", v)
    app.jinja_env.filters["media_label"] = lambda v: label("media", v)
