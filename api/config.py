"""The service's configuration: every `IKU_*` variable is read here and nowhere else.

`Config.from_environment()` reads them once; `create_app(config)`, the CLI and the tests
pass a `Config` down, and the lower layers take plain values. docs/OPERATIONS.md lists
what each variable means."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from projections.audit.checkpoints import DEFAULT_INTERVAL as DEFAULT_CHECKPOINT_INTERVAL
from projections.audit.checkpoints import DEFAULT_ORIGIN
from projections.indicators import INDICATORS, Indicator, with_goal_parts
from projections.periods import DEFAULT_TIMEZONE
from projections.view import DEFAULT_BUCKET_BITS as DEFAULT_VIEW_BUCKET_BITS

from .catalog import _

DEFAULT_DATABASE = "var/iku.sqlite3"
DEFAULT_EVIDENCE_MAX_BYTES = 100 * 1024 * 1024
DEFAULT_EVIDENCE_ORPHAN_HOURS = 72  # a refused form left open over a weekend still finds its photos
REPORT_KINDS = ("triwulan", "semester", "tahun", "bulan", "rentang")
DEFAULT_REPORT_KINDS = ("triwulan", "semester", "tahun")  # as the LKjIP reports them


@dataclass(frozen=True)
class Config:
    database: str = DEFAULT_DATABASE  # a SQLite file, or a postgresql:// URL
    timezone: str = DEFAULT_TIMEZONE  # local dates of activities (WIB)
    https: bool = False  # session cookies Secure
    proxies: int = 0  # reverse proxies in front that set X-Forwarded-For (the client's address)
    signing_key: Path = field(default_factory=lambda: default_signing_key({}))
    signing_key_configured: bool = False  # named by IKU_SIGNING_KEY (no legacy key is moved)
    session_key: Path | None = None  # the web sessions' key; None: beside the signing key
    log_origin: str = DEFAULT_ORIGIN
    log_keys: str | None = None  # verifier keys (or files of them) the log is checked with
    witness_keys: str | None = None  # the witnesses' verifier keys (or files)
    checkpoint_interval: float = DEFAULT_CHECKPOINT_INTERVAL
    view_bucket_bits: int = DEFAULT_VIEW_BUCKET_BITS
    create_tables: bool = True  # False: a process joining a database whose tables exist
    indicators: tuple[Indicator, ...] = INDICATORS  # the definitions (projections/indicators.py)
    evidence_dir: Path | None = None  # photos and videos (api/evidence.py); None: evidence_folder()
    evidence_max_bytes: int = DEFAULT_EVIDENCE_MAX_BYTES  # one upload request, all its files
    evidence_orphan_hours: int = DEFAULT_EVIDENCE_ORPHAN_HOURS  # an upload no event names is removed after
    report_kinds: tuple[str, ...] = DEFAULT_REPORT_KINDS  # the kinds of period a report is submitted for
    report_grace_days: int = 0  # days after a period's end before its report may be submitted
    language: str = "id"  # the CLI's messages: id (Bahasa Indonesia) or en

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None, **overrides) -> Config:
        env = os.environ if environ is None else environ
        config = cls(
            database=env.get("IKU_DATABASE") or DEFAULT_DATABASE,
            timezone=env.get("IKU_TIMEZONE") or DEFAULT_TIMEZONE,
            https=env.get("IKU_HTTPS") == "1",
            proxies=_count(env.get("IKU_PROXIES"), "IKU_PROXIES"),
            signing_key=Path(env["IKU_SIGNING_KEY"]) if env.get("IKU_SIGNING_KEY") else default_signing_key(env),
            signing_key_configured=bool(env.get("IKU_SIGNING_KEY")),
            session_key=Path(env["IKU_SESSION_KEY"]) if env.get("IKU_SESSION_KEY") else None,
            log_origin=env.get("IKU_LOG_ORIGIN") or DEFAULT_ORIGIN,
            log_keys=env.get("IKU_LOG_KEYS") or None,
            witness_keys=env.get("IKU_WITNESS_KEYS") or None,
            checkpoint_interval=float(env.get("IKU_CHECKPOINT_INTERVAL") or DEFAULT_CHECKPOINT_INTERVAL),
            view_bucket_bits=int(env.get("IKU_VIEW_BUCKET_BITS") or DEFAULT_VIEW_BUCKET_BITS),
            create_tables=env.get("IKU_CREATE_TABLE", "").lower() not in ("no", "n", "false", "0"),
            evidence_dir=Path(env["IKU_EVIDENCE_DIR"]) if env.get("IKU_EVIDENCE_DIR") else None,
            evidence_max_bytes=_count(env.get("IKU_EVIDENCE_MAX_MB"), "IKU_EVIDENCE_MAX_MB") * 1024 * 1024
            or DEFAULT_EVIDENCE_MAX_BYTES,
            evidence_orphan_hours=_count(env.get("IKU_EVIDENCE_ORPHAN_HOURS"), "IKU_EVIDENCE_ORPHAN_HOURS")
            or DEFAULT_EVIDENCE_ORPHAN_HOURS,
            report_kinds=_kinds(env.get("IKU_REPORT_PERIODS")),
            report_grace_days=_count(env.get("IKU_REPORT_GRACE_DAYS"), "IKU_REPORT_GRACE_DAYS"),
            language=_language(env.get("IKU_LANGUAGE")),
            indicators=_goal(env.get("IKU_TUJUAN")),
        )
        return replace(config, **{k: v for k, v in overrides.items() if v is not None})


def _count(value: str | None, name: str) -> int:
    if not value:
        return 0
    if not (value.isascii() and value.isdigit()):
        raise ValueError(_("%(name)s adalah bilangan bulat (0, 1, …), bukan %(value)r", name=name, value=value))
    return int(value)


def _language(value: str | None) -> str:
    """IKU_LANGUAGE: id (the default, whatever the system's locale says) or en."""
    if not value:
        return "id"
    if value.strip().lower() not in ("id", "en"):
        raise ValueError(_("IKU_LANGUAGE adalah id atau en, bukan %(value)r", value=value))
    return value.strip().lower()


def _goal(value: str | None) -> tuple[Indicator, ...]:
    """IKU_TUJUAN: the codes of the indicators the goal indicator sums, comma-separated
    (default IKU-1,IKU-2,PENDUKUNG-1: docs/RULES.md)."""
    if not value or not value.strip():
        return INDICATORS
    parts = tuple(code.strip().upper() for code in value.split(",") if code.strip())
    codes = [i.code for i in INDICATORS if not i.parts]
    unknown = [code for code in parts if code not in codes]
    if unknown or not parts or len(set(parts)) != len(parts):
        raise ValueError(_("IKU_TUJUAN: %(value)r bukan daftar indikator; pilih dari %(codes)s, masing-masing "
                           "sekali", value=value, codes=", ".join(codes)))
    return with_goal_parts(INDICATORS, parts)


def _kinds(value: str | None) -> tuple[str, ...]:
    """IKU_REPORT_PERIODS: a comma-separated list of triwulan, semester, tahun, bulan, rentang."""
    if not value:
        return DEFAULT_REPORT_KINDS
    kinds = tuple(k.strip().lower() for k in value.split(",") if k.strip())
    unknown = [k for k in kinds if k not in REPORT_KINDS]
    if unknown:
        raise ValueError(_("IKU_REPORT_PERIODS: %(unknown)s tidak dikenal; pilih dari %(kinds)s",
                           unknown=", ".join(unknown), kinds=", ".join(REPORT_KINDS)))
    return kinds


def default_signing_key(env: Mapping[str, str]) -> Path:
    """~/.config/iku/log-signing-key.pem: outside the database's folder, so that a copy or
    backup of the data never carries the key."""
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "iku" / "log-signing-key.pem"


def evidence_folder(config: Config) -> Path:
    """IKU_EVIDENCE_DIR, else `evidence/` beside a SQLite database, else var/evidence; made
    absolute here, from the folder the service starts in (a relative one would be read
    against the app's own folder when a file is answered: every photo a 500)."""
    if config.evidence_dir is not None:
        return config.evidence_dir.absolute()
    if "://" in config.database:
        return (Path("var") / "evidence").absolute()
    return (Path(config.database).parent / "evidence").absolute()


def session_key_path(config: Config) -> Path:
    return config.session_key or config.signing_key.with_name("session-key")
