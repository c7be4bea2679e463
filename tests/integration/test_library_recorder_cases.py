"""eventsourcing's own recorder test cases, run against our subclasses (SQLite files)."""
import shutil
import tempfile
import threading
from pathlib import Path

from eventsourcing.sqlite import SQLiteDatastore
from eventsourcing.tests.persistence import (
    ApplicationRecorderTestCase,
    NonInterleavingNotificationIDsBaseCase,
    TrackingRecorderTestCase,
)

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.store.sqlite import IKUSQLiteApplicationRecorder
from inspector.note import Signer
from inspector.seal import Sealer
from projections.view import ActivityView


def make_sealer() -> Sealer:
    """A sealer with a key of its own: every event is sealed by its writer."""
    return Sealer(Signer("test.example/log", Ed25519PrivateKey.generate()), "test.example/log", 1)


def sealing_recorder(datastore):
    """Our recorder, sealing as the service's do."""
    recorder = IKUSQLiteApplicationRecorder(datastore)
    recorder.create_table()
    recorder.sealer = make_sealer()
    return recorder


class OnAFile:
    def setUp(self):
        super().setUp()
        self.threads_before = set(threading.enumerate())
        self.folder = tempfile.mkdtemp()
        self.datastore = SQLiteDatastore(db_name=str(Path(self.folder) / "db.sqlite3"))

    def tearDown(self):
        # The library's concurrency test signals its reader threads to stop but does not
        # join them; closing connections under a running reader crashes sqlite3.
        for thread in set(threading.enumerate()) - self.threads_before:
            if not thread.daemon:
                thread.join(timeout=10)
        self.datastore.close()
        shutil.rmtree(self.folder)
        super().tearDown()


class TestIKUApplicationRecorder(OnAFile, ApplicationRecorderTestCase):
    def create_recorder(self):
        return sealing_recorder(self.datastore)


class TestIKUNotificationIdsDoNotInterleave(OnAFile, NonInterleavingNotificationIDsBaseCase):
    def create_recorder(self):
        return sealing_recorder(self.datastore)


class TestActivityViewTracking(OnAFile, TrackingRecorderTestCase):
    def create_recorder(self):
        recorder = ActivityView(self.datastore)
        recorder.create_table()
        return recorder
