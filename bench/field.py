"""The field staff's pages (issue 12): the agenda of today, this week and this month, an
activity's page and the dashboard, as a protocol officer opens them; the largest page;
and the upload of a 5 MB photo (the page's form and the API's PUT).

On a ten-year log (bench/dataset.py: ≈ 50k events is an office's decade, 1M a stress),
through the Flask test client (the server's own time, without the network). "Today" is
set to a weekday inside the data (2025-06-18), so that "hari ini", "minggu ini" and
"bulan ini" are the busy pages they are in the office, today first.

    python -m bench.field [--store sqlite|postgres] [--sizes 50000 1000000] [--repeat 30]
"""
from __future__ import annotations

import argparse
import io
import random
import re
import tempfile
from datetime import date
from pathlib import Path

from PIL import Image

from api.service_layer import queries
from api.web import common

from . import dataset, stores
from .common import Timer, machine_note, percentile
from .dataset import signed_in

TODAY = date(2025, 6, 18)
PAGES = (
    ("agenda, hari ini", "/agenda?period=hari+ini"),
    ("agenda, minggu ini", "/agenda?period=minggu+ini"),
    ("agenda, bulan ini", "/agenda?period=bulan+ini"),
    ("agenda, search of all dates", "/agenda?q=Kegiatan+1234"),
    ("activity page", None),  # a different activity of the month each time
    ("dashboard, bulan ini", "/dashboard?period=bulan+ini"),
    ("dashboard, a triwulan", "/dashboard?period=2025-Q2"),
)


def time_pages(client, repeat: int, rng: random.Random):
    month = client.get("/agenda?period=bulan+ini").get_data(as_text=True)
    activities = re.findall(r'href="(/activities/[0-9a-f-]{36})"', month)
    out = []
    for name, url in PAGES:
        seconds, largest, status = [], 0, 0
        for _ in range(repeat):
            target = url or rng.choice(activities)
            with Timer() as t:
                response = client.get(target)
            seconds.append(t.seconds)
            status, largest = response.status_code, max(largest, len(response.data))
        out.append((name, status, percentile(seconds, 50), percentile(seconds, 95), largest))
    return out


def photo(seed: int, megabytes: float = 5.0) -> bytes:
    """A JPEG of about `megabytes` (noise does not compress), as a phone's camera makes."""
    rng = random.Random(seed)
    side = 1600
    while True:
        image = Image.frombytes("RGB", (side, side * 3 // 4), rng.randbytes(side * (side * 3 // 4) * 3))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=92)
        if out.tell() >= megabytes * 1024 * 1024:
            return out.getvalue()
        side += 400


def time_uploads(app, repeat: int):
    import hashlib

    client, _ = signed_in(app, "protokol")
    month = client.get("/agenda?period=bulan+ini&status=scheduled").get_data(as_text=True)
    target = re.search(r'href="(/activities/[0-9a-f-]{36})"', month)[1]
    dokumentasi, doc_token = signed_in(app, "dokumentasi")
    results = {}
    photos = [photo(i) for i in range(repeat + 1)]
    form_times, put_times, again_times = [], [], []
    for i in range(repeat):
        html = dokumentasi.get(target).get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', html)[1]
        with Timer() as t:
            response = dokumentasi.post(f"{target}/documentation", content_type="multipart/form-data", data={
                "csrf_token": csrf, "media": "foto", "files": [(io.BytesIO(photos[i]), f"IMG_{i}.jpg")]})
        assert response.status_code == 303, response.status_code
        form_times.append(t.seconds)
    data = photos[-1]
    digest = hashlib.sha256(data).hexdigest()
    headers = {"Authorization": f"Bearer {doc_token}"}
    for i in range(repeat):
        with Timer() as t:
            response = dokumentasi.put(f"/api/v1/evidence/{digest}", data=data, headers=headers)
        assert response.status_code in (200, 201), response.status_code
        (put_times if i == 0 else again_times).append(t.seconds)
    results["form, one 5 MB photo (stored, thumbnail, EXIF, event)"] = (form_times, len(photos[0]))
    results["PUT /api/v1/evidence, new 5 MB photo"] = (put_times, len(data))
    results["PUT again, the same bytes (idempotent)"] = (again_times, len(data))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    stores.add_arguments(parser)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    print(machine_note(), f"store={args.store}")
    queries.today = common.today = lambda svc: TODAY  # the office's "today" inside the data
    rng = random.Random(12)
    for size in args.sizes:
        with dataset.served(args, "field", size, evidence_dir=Path(tempfile.mkdtemp())) as app:
            client, token = signed_in(app, "protokol")
            client.get("/dashboard?period=2025")  # the view caught up, caches warm
            print(f"\n{size:,} events, as protokol, today {TODAY}: p50 / p95 of {args.repeat}, largest page")
            for name, status, p50, p95, largest in time_pages(client, args.repeat, rng):
                print(f"  {name:30} {status}  {p50 * 1000:7.1f} / {p95 * 1000:7.1f} ms  {largest / 1024:6.1f} KiB")
            for name, (seconds, size_bytes) in time_uploads(app, max(3, args.repeat // 6)).items():
                print(f"  {name:56} {size_bytes / 2**20:4.1f} MiB  p50 {percentile(seconds, 50) * 1000:7.1f} ms"
                      f"  slowest {max(seconds) * 1000:7.1f} ms")

if __name__ == "__main__":
    main()
