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
                  "Documented": _("Didokumentasikan"), "EntryRetracted": _("Ralat")},
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
