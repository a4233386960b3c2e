"""Group commit: request threads hand their alarms to one writer thread.

A burst of alerts would otherwise cost one transaction, with its own
round trips and its own fsync, per alert. Here every request thread puts
its prepared alarm in a queue and waits; one writer thread takes
everything queued (up to :data:`MAX_BATCH`), writes it in one transaction,
commits once, and wakes each waiting thread with its own outcome.

There is no timer: a lone alarm is written as soon as the writer sees it.
Batches form by themselves while a commit is in flight, because the
alarms arriving meanwhile wait in the queue for the next round. The
busier the database, the bigger the batches.

Why one writer thread rather than leader/follower (the first waiting
request thread writes for everybody): with one thread, exactly one batch
is in flight at any time, every queued alarm is taken by the next batch,
and a request thread does nothing but enqueue and wait, so what can go
wrong is easy to list. The cost is one hand-over between threads per
batch (about 0.03 ms measured), small beside a database round trip.

Promises kept:

- A caller returns only after the batch holding its alarm was committed,
  or raises what its alarm met (``StorageUnavailable``, or the alarm's own
  error when only that alarm failed). Every ticket taken from the queue is
  answered, whatever the writer meets.
- A caller that waits longer than :data:`WAIT_LIMIT_SECONDS` gets
  ``StorageUnavailable`` and the core spools its alarm; should the writer
  still commit it later, the spool's replay is answered "already stored",
  so it is neither lost nor doubled.
- On stop, alarms already queued are written, new ones are refused with
  ``StorageUnavailable`` (the core spools them), and the thread is joined.
"""

from __future__ import annotations

import collections
import threading
from typing import Callable
from typing import Generic
from typing import TypeVar

from loguru import logger

from gateway.kit import StorageUnavailable

#: Most alarms written in one transaction.
MAX_BATCH = 200

#: Longest a request waits for its batch before the core spools the alarm.
WAIT_LIMIT_SECONDS = 30.0

#: Longest :meth:`GroupCommitter.stop` waits for the writer to finish.
STOP_LIMIT_SECONDS = 15.0

Item = TypeVar("Item")
Result = TypeVar("Result")


class _Ticket(Generic[Item, Result]):
    """One waiting caller: its item, and its outcome once written.

    ``pending`` is a lock held from the start and released once, when the
    outcome is set: the caller's blocking acquire is its wait (lighter than
    an ``Event``, which builds a condition per wait).
    """

    __slots__ = ("item", "outcome", "pending", "is_answered")

    def __init__(self, item: Item) -> None:
        self.item = item
        self.outcome: Result | BaseException | None = None
        self.pending = threading.Lock()
        self.pending.acquire()
        self.is_answered = False

    def answer(self, outcome: Result | BaseException) -> None:
        """Set the outcome and wake the caller; later answers are ignored."""
        if self.is_answered:
            return
        self.is_answered = True
        self.outcome = outcome
        self.pending.release()

    def wait(self, timeout: float) -> bool:
        """Wait for the outcome; ``False`` when none came within ``timeout``."""
        return self.pending.acquire(timeout=timeout)


class GroupCommitter(Generic[Item, Result]):
    """Writes items handed over by many threads in batches, on one thread.

    :param write_many: writes a batch and returns one outcome per item, in
        order: its result, or the exception its caller should raise. Called
        on the writer thread only, one batch at a time.
    :param name: the writer thread's name.
    :param max_batch: most items per batch.
    :param wait_limit: longest a caller waits for its outcome.
    """

    def __init__(
        self,
        write_many: Callable[[list[Item]], list[Result | Exception]],
        *,
        name: str = "sql-writer",
        max_batch: int = MAX_BATCH,
        wait_limit: float = WAIT_LIMIT_SECONDS,
    ) -> None:
        self._write_many = write_many
        self._max_batch = max_batch
        self._wait_limit = wait_limit
        self._queue: collections.deque[_Ticket[Item, Result]] = collections.deque()
        self._lock = threading.Lock()
        self._has_work = threading.Condition(self._lock)
        self._is_closing = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        """Start the writer thread."""
        self._thread.start()

    def submit(self, item: Item) -> Result:
        """Hand ``item`` to the writer; return once its batch is committed.

        :raises StorageUnavailable: the writer is stopping or stopped, the
            database failed, or no answer came within the wait limit.
        :raises Exception: whatever writing this item alone raised.
        """
        if threading.current_thread() is self._thread:
            # Called from inside a write (a hook of ours): waiting for
            # ourselves would never end, so write it here and now.
            return self._unwrap(self._write_many([item])[0])

        ticket: _Ticket[Item, Result] = _Ticket(item)
        with self._lock:
            if self._is_closing:
                raise StorageUnavailable("SQL storage is stopping")
            self._queue.append(ticket)
            self._has_work.notify()

        if not ticket.wait(self._wait_limit):
            raise StorageUnavailable(
                f"SQL storage did not answer within {self._wait_limit:g} s"
            )
        return self._unwrap(ticket.outcome)

    def stop(self, timeout: float = STOP_LIMIT_SECONDS) -> None:
        """Write what is queued, refuse anything new, join the writer.

        Tickets still queued when the writer does not finish within
        ``timeout`` (a database that stopped answering) are answered with
        :class:`StorageUnavailable`, so no caller waits for ever.
        """
        with self._lock:
            self._is_closing = True
            self._has_work.notify_all()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

        with self._lock:
            left = list(self._queue)
            self._queue.clear()
        for ticket in left:
            ticket.answer(StorageUnavailable("SQL storage stopped"))
        if self.is_running:
            logger.warning(
                "storage: writer still busy after {:g} s at shutdown", timeout
            )

    @property
    def is_running(self) -> bool:
        """Whether the writer thread is alive."""
        return self._thread.is_alive()

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._queue and not self._is_closing:
                    self._has_work.wait()
                if not self._queue:
                    return  # closing, and everything queued was written
                count = min(len(self._queue), self._max_batch)
                batch = [self._queue.popleft() for _ in range(count)]
            self._write(batch)

    def _write(self, batch: list[_Ticket[Item, Result]]) -> None:
        outcomes: list[Result | Exception]
        try:
            outcomes = self._write_many([ticket.item for ticket in batch])
            if len(outcomes) != len(batch):
                raise RuntimeError(
                    f"{len(outcomes)} outcomes for a batch of {len(batch)}"
                )
        except Exception as error:  # never leave a caller waiting
            logger.opt(exception=error).error("storage: writing a batch failed")
            outcomes = []
            for _ in batch:
                failure = StorageUnavailable("SQL storage failed to write the alarm")
                failure.__cause__ = error
                outcomes.append(failure)
        for ticket, outcome in zip(batch, outcomes):
            ticket.answer(outcome)

    @staticmethod
    def _unwrap(outcome: Result | BaseException | None) -> Result:
        if isinstance(outcome, BaseException):
            raise outcome
        assert outcome is not None
        return outcome
