"""Retention: deleting alarms older than ``[gateway] retention``, once an hour."""

from __future__ import annotations

import datetime as dt
import threading

from loguru import logger

from gateway.plugins import PluginCallError
from gateway.plugins import PluginHost


def prune(plugins: PluginHost, older_than: dt.timedelta) -> int:
    """Delete alarms received more than ``older_than`` ago; return how many."""
    cutoff = dt.datetime.now(dt.timezone.utc) - older_than
    answer = plugins.call_first("gateway_prune_alarms", received_before=cutoff)
    if answer is None:
        raise LookupError("no enabled storage plugin can prune alarms")
    deleted = answer[1]
    logger.info(
        "retention: {} alarms received before {} deleted", deleted, cutoff.isoformat()
    )
    return deleted


class RetentionTimer:
    """A thread pruning old alarms every ``interval_s`` seconds."""

    def __init__(
        self, plugins: PluginHost, older_than: dt.timedelta, interval_s: float = 3600.0
    ) -> None:
        self.plugins = plugins
        self.older_than = older_than
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="retention", daemon=True)

    def start(self) -> None:
        """Start pruning in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread (an ongoing prune finishes first)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                prune(self.plugins, self.older_than)
            except (PluginCallError, LookupError):
                logger.opt(exception=True).warning(
                    "retention: pruning failed; next try in an hour"
                )
