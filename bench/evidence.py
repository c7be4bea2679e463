"""What checking an upload costs (review finding 7), and what a sweep of unclaimed files costs.

- check: `api.media.check` alone on a phone's 12-megapixel JPEG (noise, so that it weighs
  what a photo weighs), a 24-megapixel PNG, and a 100 MB MP4 (the boxes only);
- put: the whole upload of that JPEG (hash, check, EXIF, thumbnail), for comparison;
- sweep: reading the hashes the log names (`named_in_log`) over N documentation entries
  of 3 files each, and one sweep of a store of F files none of which is old.

    python -m bench.evidence [--repeat 5] [--entries 5000] [--files 2000]
"""
from __future__ import annotations

import argparse
import io
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image

from api.cli.evidence import named_in_log
from api.evidence import EvidenceStore
from api.media import check
from domain.application import Agenda
from projections.audit.checkpoints import DEFAULT_ORIGIN
from projections.audit.seals import seal_with_key
from domain.context import acting_as

from .common import Timer, machine_note, median

MEDIA = Path(__file__).parents[1] / "tests" / "fixtures" / "media"


def noise(size) -> Image.Image:
    return Image.merge("RGB", [Image.effect_noise(size, 40 + 10 * i) for i in range(3)])


def files(folder: Path) -> dict[str, tuple[Path, str]]:
    jpeg, png, mp4 = folder / "photo.jpg", folder / "scan.png", folder / "video.mp4"
    noise((4000, 3000)).save(jpeg, "JPEG", quality=90)
    noise((6000, 4000)).convert("L").save(png, "PNG")
    movie = (MEDIA / "phone.mp4").read_bytes()
    ftyp = movie[:int.from_bytes(movie[:4], "big")]
    moov_at = movie.index(b"moov") - 4
    moov = movie[moov_at:moov_at + int.from_bytes(movie[moov_at:moov_at + 4], "big")]
    with open(mp4, "wb") as out:
        out.write(ftyp + moov + (100 * 2**20 + 8).to_bytes(4, "big") + b"mdat")
        out.write(b"\0" * (100 * 2**20))
    return {"JPEG 12 MP": (jpeg, "image/jpeg"), "PNG 24 MP": (png, "image/png"), "MP4 100 MB": (mp4, "video/mp4")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--files", type=int, default=2000)
    args = parser.parse_args()
    print(machine_note())
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        for name, (path, kind) in files(folder).items():
            times = []
            for _ in range(args.repeat):
                with Timer() as t:
                    check(path, kind)
                times.append(t.seconds)
            print(f"check {name} ({path.stat().st_size / 2**20:.1f} MiB): median {median(times) * 1000:.0f} ms")
        store = EvidenceStore(folder / "store", ZoneInfo("Asia/Jakarta"), 200 * 2**20)
        photo = (folder / "photo.jpg").read_bytes()
        times = []
        for _ in range(args.repeat):
            with Timer() as t:
                store.put(io.BytesIO(photo))  # the first stores it, the others find it (hash and check alike)
            times.append(t.seconds)
        print(f"put JPEG 12 MP (hash, check, EXIF, thumbnail): median {median(times) * 1000:.0f} ms")

        agenda = seal_with_key(Agenda.on(str(folder / "iku.sqlite3")), folder / "key.pem", DEFAULT_ORIGIN)
        with acting_as("bench"):
            for i in range(args.entries):
                activity = agenda.schedule(title=f"Kegiatan {i}", leaders=["bupati"],
                                           starts_at=datetime(2021, 1, 1, 9, tzinfo=timezone.utc),
                                           location="Jember", scope="dalam_daerah").activity_id
                agenda.record_documentation(activity, media="foto", evidence=[
                    {"sha256": f"{i:016x}{j:048x}", "size": 1, "type": "image/jpeg", "captured_at": None}
                    for j in range(3)])
        with Timer() as t:
            named = named_in_log(agenda)
        print(f"named_in_log over {args.entries} entries ({len(named)} hashes): {t.seconds * 1000:.0f} ms")
        for i in range(args.files):
            path = store.path(f"f{i:063x}")
            store._folder(path.parent)
            path.write_bytes(b"x")
        with Timer() as t:
            swept = store.sweep(lambda: named, timedelta(hours=72))
        print(f"sweep of {args.files} files (none old): {t.seconds * 1000:.0f} ms, {swept.unclaimed_files} unclaimed")


if __name__ == "__main__":
    main()
