"""Names of the domain's values as users read them, in their language."""
from __future__ import annotations

from flask_babel import gettext as _

from projections.facts import FACTS


def label(kind: str, value: str) -> str:
    names = {
        "role": {"admin": _("Admin"), "protokol": _("Sub Bagian Protokol"),
                 "dokumentasi": _("Sub Bagian Dokumentasi Pimpinan"),
                 "pimpinan": _("Pimpinan (Kepala Bagian)"), "inspektorat": _("Inspektorat")},
        "leader": {"bupati": _("Bupati"), "wakil_bupati": _("Wakil Bupati")},
        "media": {"media_luar_ruang": _("Media luar ruang"), "foto": _("Foto"), "video": _("Video")},
        "scope": {"dalam_daerah": _("Dalam daerah"), "luar_daerah": _("Luar daerah")},
        "status": {"scheduled": _("Terjadwal"), "cancelled": _("Dibatalkan"),
                   "cancelled_late": _("Dibatalkan setelah lewat"),
                   "served": _("Mendapat pelayanan keprotokolan"), "documented": _("Terdokumentasi"),
                   "unserved": _("Belum dilayani"), "undocumented": _("Belum didokumentasikan")},
        "event": {"ActivityScheduled": _("Dijadwalkan"), "ActivityRescheduled": _("Dijadwalkan ulang"),
                  "ActivityCancelled": _("Dibatalkan"), "ProtocolServed": _("Pelayanan keprotokolan"),
                  "Documented": _("Didokumentasikan"), "EntryRetracted": _("Ralat"),
                  "UcapanRequested": _("Diminta"), "UcapanDelivered": _("Disampaikan"),
                  "UcapanCancelled": _("Dibatalkan"), "DeliveryRetracted": _("Ralat penyampaian")},
        "ucapan_kind": {"duka": _("Ucapan duka"), "selamat": _("Ucapan selamat")},
        "relation": {"instansi": _("Instansi"), "pejabat": _("Pejabat"), "tokoh_masyarakat": _("Tokoh masyarakat"),
                     "tokoh_agama": _("Tokoh agama"), "organisasi": _("Organisasi"),
                     "keluarga_asn": _("Keluarga ASN"), "masyarakat": _("Masyarakat"), "lainnya": _("Lainnya")},
        "channel": {"karangan_bunga": _("Karangan bunga"), "surat": _("Surat"),
                    "kunjungan_langsung": _("Kunjungan langsung"), "media_sosial": _("Media sosial"),
                    "iklan_media_cetak": _("Iklan media cetak")},
        "ucapan_status": {"counted": _("Diminta (tidak dibatalkan)"), "on_time": _("Tersampaikan tepat waktu"),
                          "open": _("Belum disampaikan"), "overdue": _("Lewat jatuh tempo"),
                          "delivered": _("Tersampaikan"), "late": _("Tersampaikan terlambat"),
                          "cancelled": _("Dibatalkan")},
        "indicator_kind": {"iku": _("Indikator Kinerja Utama"), "pendukung": _("Indikator pendukung (kantor)"),
                           "tujuan": _("Indikator Tujuan")},
        "account": {"AccountCreated": _("Dibuat"), "RoleChanged": _("Peran diubah"),
                    "AccountDisabled": _("Dinonaktifkan"), "AccountEnabled": _("Diaktifkan kembali"),
                    "ProfileChanged": _("Profil diubah"), "PasswordReset": _("Kata sandi diatur ulang"),
                    "PasswordChanged": _("Kata sandi diubah sendiri"), "TokenIssued": _("Token API dibuat")},
        "target_event": {"TargetSet": _("ditetapkan"), "TargetChanged": _("diubah")},
        "quick": {"hari ini": _("Hari ini"), "minggu ini": _("Minggu ini"), "bulan ini": _("Bulan ini"),
                  "minggu depan": _("Minggu depan")},
        # A fact's label is its own (projections/facts.py), translated by the catalog.
        "part": {"denominator": _("Kegiatan yang diagendakan"), "cancelled": _("Dibatalkan"),
                 **{name: _(f.label) for name, f in FACTS.items()}},
    }
    return names.get(kind, {}).get(value, value)


def init_app(app) -> None:
    app.jinja_env.globals["label"] = label
    app.jinja_env.filters["leader_label"] = lambda v: label("leader", v)
    app.jinja_env.filters["media_label"] = lambda v: label("media", v)
