"""The spool: a local, fsynced journal for alarms storage could not take.

When the database cannot be reached, the core appends the alarm (with the
notifiers it is due to) to this process's journal file, fsyncs it, and
only then answers 202. A drainer thread moves spooled alarms into storage,
in arrival order, once storage answers again. Storage writes are
idempotent on the alarm's id, so a drain interrupted by a crash and
repeated later stores nothing twice.

Each process writes its own file (``spool-<pid>-<n>.jsonl``) and holds an
exclusive lock on it while it runs; a drainer also takes over files whose
owner died (it can lock them), so a crash leaves nothing behind.
"""

from __future__ import annotations

import base64
import datetime as dt
import fcntl
import os
import threading
import uuid
from dataclasses import fields as dataclass_fields
from decimal import Decimal
from pathlib import Path
from typing import Any
from typing import Callable
from typing import Iterator

import simplejson
from loguru import logger

from gateway._json import dumps
from gateway._types import Alarm
from gateway._types import StoreResult
from gateway.errors import StorageRejected
from gateway.errors import StorageUnavailable
from gateway.notify import alarm_to_dict

_DATETIME_FIELDS = {"received_at", "event_time", "dedup_until"}
_DECIMAL_FIELDS = {"price", "quantity"}


def alarm_from_dict(values: dict[str, Any]) -> Alarm:
    """Rebuild an :class:`Alarm` from :func:`gateway.notify.alarm_to_dict` output."""
    known = {field.name for field in dataclass_fields(Alarm)}
    data = {key: value for key, value in values.items() if key in known}
    for name in _DATETIME_FIELDS:
        if data.get(name):
            data[name] = dt.datetime.fromisoformat(data[name].replace("Z", "+00:00"))
    for name in _DECIMAL_FIELDS:
        if data.get(name) is not None:
            data[name] = Decimal(str(data[name]))
    raw_base64 = values.get("raw_base64")
    data["raw_bytes"] = base64.b64decode(raw_base64) if raw_base64 else None
    data["deliveries"] = []
    return Alarm(**data)


class Spool:
    """This process's journal of alarms waiting for storage.

    :param folder: where journal files live (created if missing).
    :param store: stores one alarm with its notifier names; raises
        :class:`StorageUnavailable` while storage is away.
    :param on_stored: called after each drained alarm was stored.
    """

    def __init__(
        self,
        folder: Path,
        store: Callable[[Alarm, list[str]], StoreResult],
        on_stored: Callable[[Alarm, list[str], StoreResult], None] | None = None,
        retry_interval_s: float = 2.0,
    ) -> None:
        self.folder = folder
        self.store = store
        self.on_stored = on_stored
        self.retry_interval_s = retry_interval_s
        self._lock = threading.Lock()
        self._file: Any = None
        self._path: Path | None = None
        self._pending = 0
        self._drained = threading.Condition()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.is_storage_down = False

    # -- writing -----------------------------------------------------------

    def append(self, alarm: Alarm, notifiers: list[str]) -> None:
        """Append one alarm durably (written and fsynced) before returning."""
        line = dumps(
            {"alarm": alarm_to_dict(alarm, internal=True), "notifiers": notifiers},
            ensure_ascii=True,
        )
        with self._lock:
            journal = self._open_journal()
            journal.write(line.encode("ascii") + b"\n")
            journal.flush()
            os.fsync(journal.fileno())
            self._pending += 1
        self.is_storage_down = True
        self._wake.set()

    def _open_journal(self) -> Any:
        if self._file is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            name = f"spool-{os.getpid()}-{uuid.uuid4().hex[:8]}.jsonl"
            self._path = self.folder / name
            self._file = open(self._path, "ab")
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            # The new file's name must survive a crash too.
            _fsync_folder(self.folder)
        return self._file

    def wake(self) -> None:
        """Ask the drainer to try storage now rather than at its next retry."""
        self._wake.set()

    def wait_until_empty(self, timeout: float = 10.0) -> bool:
        """Wait until every spooled alarm is in storage; ``False`` on timeout."""
        with self._drained:
            return self._drained.wait_for(lambda: self._pending == 0, timeout)

    @property
    def pending(self) -> int:
        """Alarms in this process's journal not yet drained (plus orphans found)."""
        return self._pending

    # -- draining ----------------------------------------------------------

    def start(self) -> None:
        """Count what earlier runs left behind and start the drainer thread."""
        self._pending += sum(_count_lines(path) for path in self._orphans())
        self._thread = threading.Thread(
            target=self._run, name="spool-drainer", daemon=True
        )
        self._thread.start()
        if self._pending:
            logger.warning(
                "spool: {} alarms waiting from an earlier run", self._pending
            )
            self._wake.set()

    def stop(self) -> None:
        """Stop the drainer and close the journal (kept if not empty)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(10)
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.retry_interval_s)
            self._wake.clear()
            if self._pending == 0 and not self._orphans():
                continue
            try:
                self.drain()
            except Exception:
                logger.opt(exception=True).error("spool: drain failed; will retry")

    def drain(self) -> int:
        """Store every spooled alarm that storage accepts; return how many."""
        drained = 0
        with self._lock:
            own, self._file, self._path = (self._path, self._file), None, None
        own_path, own_file = own
        if own_file is not None:
            own_file.close()

        for path in self._orphans(include=own_path):
            handle = _lock_for_drain(path)
            if handle is None:
                continue
            try:
                count, is_complete = self._drain_file(path)
            finally:
                handle.close()
            drained += count
            if not is_complete:
                break
            path.unlink(missing_ok=True)

        if drained:
            logger.info(
                "spool: {} alarms moved into storage, {} left", drained, self._pending
            )
        return drained

    def _drain_file(self, path: Path) -> tuple[int, bool]:
        done_marker = path.with_suffix(".done")
        already = int(done_marker.read_text() or 0) if done_marker.exists() else 0
        count = 0
        for number, record in enumerate(_read_records(path)):
            if number < already:
                continue
            alarm = alarm_from_dict(record["alarm"])
            notifiers = list(record.get("notifiers", []))
            try:
                result = self.store(alarm, notifiers)
            except StorageUnavailable:
                self.is_storage_down = True
                return count, False
            except StorageRejected as refusal:
                # Retrying cannot help, and must not hold up the alarms
                # behind it: set it aside, kept, for an operator to look at.
                self._set_aside(record, str(refusal))
                result = None
            self.is_storage_down = False
            count += 1
            with self._drained:
                self._pending = max(self._pending - 1, 0)
                self._drained.notify_all()
            # Progress survives a crash; a repeat would be idempotent anyway.
            done_marker.write_text(str(number + 1))
            if self.on_stored is not None and result is not None:
                self.on_stored(alarm, notifiers, result)
        done_marker.unlink(missing_ok=True)
        return count, True

    def _set_aside(self, record: dict[str, Any], reason: str) -> None:
        rejected = self.folder / "rejected.jsonl"
        line = dumps({**record, "reason": reason}, ensure_ascii=True)
        with open(rejected, "ab") as journal:
            journal.write(line.encode("ascii") + b"\n")
            journal.flush()
            os.fsync(journal.fileno())
        logger.error(
            "spool: alarm {} refused by storage ({}); set aside in {}",
            record["alarm"]["id"],
            reason,
            rejected,
        )

    def _orphans(self, include: Path | None = None) -> list[Path]:
        if not self.folder.exists():
            return [include] if include else []
        paths = sorted(
            self.folder.glob("spool-*.jsonl"), key=lambda p: p.stat().st_mtime
        )
        if include is not None and include not in paths:
            paths.append(include)
        with self._lock:
            current = self._path
        return [path for path in paths if path != current]


def _lock_for_drain(path: Path) -> Any:
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        # Another live process owns or drains this file.
        handle.close()
        return None
    return handle


def _read_records(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, "rb") as journal:
        for line in journal:
            if not line.endswith(b"\n"):
                # A torn last line was never fsynced, so never acknowledged.
                logger.warning("spool: ignoring an unfinished record in {}", path.name)
                return
            yield simplejson.loads(line, use_decimal=True)


def _count_lines(path: Path) -> int:
    with open(path, "rb") as journal:
        total = sum(1 for line in journal if line.endswith(b"\n"))
    done_marker = path.with_suffix(".done")
    done = int(done_marker.read_text() or 0) if done_marker.exists() else 0
    return max(total - done, 0)


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
