"""The audit export (docs/AUDIT.md) as a ZIP, for the Audit page's download."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from projections.audit.export import export_audit
from projections.periods import Period


def audit_export_zip(services, period: Period) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        export_audit(services, period, Path(folder) / "export")
        archive = shutil.make_archive(str(Path(folder) / "archive"), "zip", Path(folder) / "export")
        return Path(archive).read_bytes()
