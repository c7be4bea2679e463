"""Reading the pages' forms into the API's own schemas, so that a form and the API follow
one set of rules; turning their errors into messages in the user's language."""
from __future__ import annotations

from datetime import date, datetime, time

import marshmallow as ma
from flask import current_app, g, request
from flask_babel import gettext as _

from domain.exceptions import DomainError

from ..evidence import EvidenceError
from ..media import MAX_PIXELS, MAX_TOTAL_PIXELS, NAMES
from ..http.activities.schemas import MAX_FILES
from ..service_layer import commands


class FormErrors(Exception):
    def __init__(self, errors: dict[str, str]):
        super().__init__("invalid form")
        self.errors = errors


def message_for(text: str) -> str:
    """A validation message of marshmallow's or of the domain's, in the user's language."""
    text = str(text)
    for prefix, message in (
        ("Missing data", _("Wajib diisi.")), ("Field may not be null", _("Wajib diisi.")),
        ("Shorter than minimum length", _("Wajib diisi.")),
        ("Length must be between", _("Terlalu panjang.")),
        ("name at least one", _("Pilih atau sebutkan paling sedikit satu.")),
        ("Must be one of", _("Pilihan tidak dikenal.")), ("unknown", _("Pilihan tidak dikenal.")),
        ("Longer than maximum length", _("Terlalu panjang.")),
        ("Not a valid URL", _("Bukan alamat URL yang sah (http:// atau https://).")),
        ("Not a SHA-256", _("Bukan SHA-256 (64 digit heksadesimal).")),
        ("Must not be before starts_at", _("Tidak boleh sebelum waktu mulai.")),
        ("must not be before starts_at", _("Tidak boleh sebelum waktu mulai.")),
        ("A leader is named twice", _("Pimpinan disebut dua kali.")),
        ("must be between the years", _("Tahun di luar 1900–2999.")),
        ("a user name has no spaces", _("Tanpa spasi di awal atau di akhir.")),
        ("a user name is", _("1–64 huruf, angka, titik, garis bawah atau tanda hubung.")),
        ("a password has at least", _("Kata sandi paling sedikit 10 karakter.")),
        ("a NIP is", _("NIP terdiri atas 18 angka.")),
        ("a change of access needs a reason", _("Wajib diisi.")),
        ("Not valid text", _("Teks tidak sah (ada karakter kendali).")),
        ("A delivery is recorded after it happened", _("Penyampaian dicatat setelah terjadi: tidak boleh "
                                                      "di masa depan.")),
        ("Not a valid date", _("Tanggal tidak sah.")),
    ):
        if text.startswith(prefix):
            return message
    return _("Isian tidak sah.")


def load(schema: ma.Schema, data: dict, fields_map: dict[str, str] | None = None) -> dict:
    """Validate with an API schema; errors keyed by the form's own field names."""
    try:
        return schema.load(data)
    except ma.ValidationError as e:
        fields_map = fields_map or {}
        errors = {}
        for field, messages in e.messages.items():
            value = data.get(field)
            if value in (None, ""):
                message = _("Wajib diisi.")
            elif value == [] or (isinstance(value, list) and not any(value)):
                message = _("Pilih atau sebutkan paling sedikit satu.")
            else:
                first = messages
                while isinstance(first, (list, dict)):
                    first = next(iter(first.values() if isinstance(first, dict) else first))
                message = message_for(first)
            errors[fields_map.get(field, field)] = message
        raise FormErrors(errors) from None


def domain_errors(error: DomainError, fields_map: dict[str, str] | None = None) -> dict[str, str]:
    field = (fields_map or {}).get(error.field, error.field) if error.field else "_form"
    return {field: message_for(error.message)}


def local_instant(day: str, clock: str, field: str) -> str:
    """A date and a time typed in the configured zone → an RFC 3339 instant."""
    try:
        d = date.fromisoformat(day.strip())
    except ValueError:
        raise FormErrors({field + "_date": _("Tanggal tidak sah.")}) from None
    try:
        t = time.fromisoformat(clock.strip())
        if t.tzinfo is not None:  # the form's times are in the configured zone: no offset
            raise ValueError("an offset")
    except ValueError:
        raise FormErrors({field + "_time": _("Jam tidak sah (jj:mm).")}) from None
    return datetime.combine(d, t, current_app.extensions["iku"].zone).isoformat()


def lines(text: str) -> list[str]:
    """One name per line, as the label says; a comma belongs to the name (degrees: "S.T., M.Si")."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def entry_version(form) -> int:
    """The version of the entry a retraction form names (its select's value): ASCII digits,
    else refused beside the field — never another digit script read as a number."""
    text = form.get("entry", "").strip()
    if not (text.isascii() and text.isdigit()):
        raise FormErrors({"entry": _("Isian tidak sah.")})
    return int(text)


def officers(form) -> list[str]:
    """The names ticked in the list of known officers, then those written one per line;
    each once (a name ticked and written too is one officer)."""
    seen, out = set(), []
    for name in [*form.getlist("known"), *lines(form.get("officers", ""))]:
        name = " ".join(name.split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(name)
    return out


def stored_uploads(before_storing) -> list[str]:
    """The form's files kept in the evidence store first (by hash: a form sent again stores
    nothing new), to be named by hash in the entry. What can be refused without the files
    (`before_storing(uploads)` raises FormErrors) is refused before any is stored."""
    hashes = []
    uploads = [upload for upload in request.files.getlist("files") if upload.filename]  # not the empty input
    if len(uploads) > MAX_FILES:
        raise FormErrors({"files": _("Paling banyak %(n)s berkas sekali kirim.", n=MAX_FILES)})
    before_storing(uploads)
    for upload in uploads:
        try:
            hashes.append(commands.store_evidence(current_app.extensions["iku"], g.user, upload.stream).sha256)
        except EvidenceError as e:
            raise FormErrors({"files": refusal(e, upload.filename[:100])}) from None
    return hashes


def refusal(error: EvidenceError, name: str) -> str:
    """Why the evidence store refused a file, in the user's language."""
    if error.reason == "size":
        return _("Terlalu besar: paling besar %(mb)s MB sekali kirim.",
                 mb=current_app.extensions["iku"].evidence.max_bytes // 2**20)
    if error.reason == "decode":
        return _("“%(name)s” rusak atau tidak utuh: tidak terbaca sebagai %(kind)s dari awal sampai akhir "
                 "berkas. Unggah lagi berkas aslinya.", name=name, kind=NAMES.get(error.kind, error.kind))
    if error.reason == "pixels":
        return _("“%(name)s” terlalu besar untuk diperiksa: paling banyak %(most)s juta piksel (foto JPEG: "
                 "%(jpeg)s juta).", name=name, most=MAX_PIXELS // 10**6, jpeg=MAX_TOTAL_PIXELS // 10**6)
    return _("“%(name)s” bukan foto atau video.", name=name)
