"""Prometheus metrics at /metrics, read from the store on each scrape.

Every figure comes from the database, so all gunicorn workers (and hosts) give the same
answer, and nothing is kept per process. Request rates and latencies are the front proxy's
and gunicorn's to report (docs/OPERATIONS.md)."""
from __future__ import annotations

import time

from eventsourcing.persistence import PersistenceError
from flask import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily


class StoreCollector:
    def __init__(self, services):
        self.services = services

    def collect(self):
        up = GaugeMetricFamily("iku_store_up", "1 if the event store answered this scrape")
        try:
            figures = self._read()
        except PersistenceError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        for name, documentation, value in figures:
            gauge = GaugeMetricFamily(name, documentation)
            gauge.add_metric([], value)
            yield gauge

    def _read(self) -> list[tuple[str, str, float]]:
        svc = self.services
        log = svc.agenda.recorder.max_notification_id() or 0
        view = svc.projector.position()
        tree = svc.tree.size()
        latest = svc.checkpoints.latest()
        figures = [
            ("iku_log_position", "Position of the last event in the log (events recorded)", log),
            ("iku_view_position", "Log position the activity view has applied", view),
            ("iku_view_lag_events", "Events recorded but not yet in the activity view", log - view),
            ("iku_tree_size", "Leaves of the audit log's Merkle tree (one per event)", tree),
            ("iku_recorded_times_simulated", "1 on a demo database (simulated clock)",
             1 if svc.agenda.recorded_times_are_simulated else 0),
            ("iku_checkpoint_refused", "1 while the service refuses to sign checkpoints (health says why)",
             1 if svc.checkpoints.refusal() else 0),
        ]
        if latest is not None:
            figures += [
                ("iku_checkpoint_position", "Tree size of the latest signed checkpoint", latest.size),
                ("iku_checkpoint_lag_events", "Events recorded but not yet in a signed checkpoint",
                 log - latest.size),
                ("iku_checkpoint_age_seconds", "Seconds since the latest signed checkpoint",
                 max(0.0, time.time() - latest.signed_at / 1e6)),
                ("iku_checkpoint_witnesses", "Configured witnesses that cosigned the latest checkpoint",
                 len(svc.checkpoints.witnesses_of(latest))),
            ]
        return figures


class EvidenceCollector:
    """The evidence store's unclaimed files, as its last sweep found them (the store's own
    `sweep.json`, shared by every worker and host like the folder)."""

    def __init__(self, services):
        self.services = services

    def collect(self):
        swept = self.services.evidence.swept()
        if swept is None:
            return
        for name, documentation, key in (
                ("iku_evidence_orphans_removed", "Uploads no event named, removed by the sweeps", "removed_total"),
                ("iku_evidence_orphans_removed_bytes", "Bytes of the uploads the sweeps removed",
                 "removed_bytes_total")):
            yield CounterMetricFamily(name, documentation, value=swept.get(key, 0))
        for name, documentation, value in (
                ("iku_evidence_unclaimed_files", "Stored files no event names yet (younger than the limit), "
                                                 "at the last sweep", swept.get("unclaimed_files", 0)),
                ("iku_evidence_unclaimed_bytes", "Bytes of those files", swept.get("unclaimed_bytes", 0)),
                ("iku_evidence_sweep_age_seconds", "Seconds since the last sweep of the evidence store",
                 max(0.0, time.time() - swept.get("swept_at", 0)))):
            yield GaugeMetricFamily(name, documentation, value=value)


def register(app, services) -> None:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreCollector(services))
    registry.register(EvidenceCollector(services))

    @app.get("/metrics")
    def metrics():
        """Public, like /api/v1/health: counts and positions only (restrict it at the proxy)."""
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
