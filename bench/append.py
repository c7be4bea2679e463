"""Service append vs raw eventsourcing append, in the same database (SQLite or PostgreSQL).

Both run the same workload through an eventsourcing Application: create an activity (one
event), then get it and record protocol service (one more event); one save per event.
- service: our Agenda (actor from context, recorded_at under the write lock, the as-of
  horizon, the Merkle tree and the event's seal — an Ed25519 signature by the log's key —
  in the write, the acknowledgement's recorded_at read back);
- raw: a stock eventsourcing Application with the store's stock recorder (its own table in
  the same database) and the same aggregate class.
Rounds alternate to spread the machine's noise over both; the median round is reported.

    python -m bench.append [--events 4000] [--rounds 5] [--runs 3] [--store sqlite|postgres]

`--runs`: whole measurements in one process, each on the same database; the median of their
ratios is the figure (docs/PERFORMANCE.md).
"""
from __future__ import annotations

import argparse
import os
from datetime import datetime, timedelta, timezone

from eventsourcing.application import Application
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteFactory

from domain.application import Agenda
from domain.context import acting_as
from domain.model import Activity

from domain.store.stores import persistence_env, store_for
from projections.audit.checkpoints import DEFAULT_ORIGIN
from projections.audit.seals import seal_with_key

from . import stores
from .common import Timer, machine_note, median


class RawFactory(SQLiteFactory):
    """The stock recorder, in a table of its own beside ours."""

    def application_recorder(self):
        recorder = SQLiteApplicationRecorder(self.datastore, events_table_name="raw_events")
        recorder.create_table()
        return recorder


class RawPostgresFactory(PostgresFactory):
    """The stock recorder, in a table of its own beside ours."""

    def application_recorder(self):
        recorder = PostgresApplicationRecorder(self.datastore, events_table_name="raw_events")
        recorder.create_table()
        return recorder


def raw_application(database: str) -> RawApplication:
    """A stock Application on the same database as the service (same connection settings)."""
    env = persistence_env(database)
    env["PERSISTENCE_MODULE"] = ("bench.append:RawPostgresFactory" if store_for(database).name == "postgres"
                                 else "bench.append:RawFactory")
    return RawApplication(env=env)


class RawApplication(Application):
    name = "RAW"
    is_snapshotting_enabled = False


STARTS_AT = datetime(2021, 3, 1, 9, tzinfo=timezone(timedelta(hours=7)))


def service_round(agenda: Agenda, pairs: int) -> float:
    with Timer() as t, acting_as("bench"):
        for _ in range(pairs):
            w = agenda.schedule(title="Rapat", leaders=["bupati"], starts_at=STARTS_AT,
                                location="Pendopo", scope="dalam_daerah")
            agenda.record_protocol(w.activity_id, officers=["Ani"])
    return 2 * pairs / t.seconds


def raw_round(app: RawApplication, pairs: int) -> float:
    with Timer() as t, acting_as("bench"):
        for _ in range(pairs):
            a = Activity(title="Rapat", leaders=["bupati"], starts_at=STARTS_AT,
                         location="Pendopo", scope="dalam_daerah")
            app.save(a)
            a = app.repository.get(a.id)
            a.serve(officers=["Ani"])
            app.save(a)
    return 2 * pairs / t.seconds


def run(database: str, events: int = 4000, rounds: int = 5) -> dict:
    # The service seals every event with the log's key in the write (issue 23), as it does.
    agenda = seal_with_key(Agenda.on(database), os.environ["IKU_SIGNING_KEY"], DEFAULT_ORIGIN)
    raw = raw_application(database)
    pairs = events // 2
    service_round(agenda, 50)
    raw_round(raw, 50)  # warm up both
    service, stock = [], []
    for _ in range(rounds):
        service.append(service_round(agenda, pairs))
        stock.append(raw_round(raw, pairs))
    agenda.close()
    raw.close()
    return {"service": median(service), "raw": median(stock),
            "ratio": median([s / r for s, r in zip(service, stock, strict=True)]),
            "events": events, "rounds": rounds}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=1)
    stores.add_arguments(parser)
    args = parser.parse_args()
    print(machine_note(), f"store: {args.store}")
    ratios = []
    with stores.database(args, "append") as (database, _):
        for _ in range(args.runs):
            r = run(database, args.events, args.rounds)
            ratios.append(r["ratio"])
            print(f"append, {r['events']} events per round, median of {r['rounds']} rounds: "
                  f"service {r['service']:,.0f} ev/s, raw eventsourcing {r['raw']:,.0f} ev/s, "
                  f"ratio {r['ratio']:.2f}")
    if args.runs > 1:
        print(f"median ratio of {args.runs} runs: {median(ratios):.2f} ({', '.join(f'{x:.2f}' for x in ratios)})")


if __name__ == "__main__":
    main()
