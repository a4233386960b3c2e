"""Exceptions the core raises and plugins may raise."""

from __future__ import annotations


class GatewayError(Exception):
    """Base class of AlarmHugger's own errors."""


class ConfigError(GatewayError):
    """A setting is missing or wrong; the message says where and how to fix it.

    :param section: the ``gateway.ini`` section, e.g. ``plugin:sql``.
    :param key: the key in that section.
    :param value: the value found (already masked if it is a secret).
    :param expected: what would have been accepted.
    """

    def __init__(
        self,
        section: str,
        key: str,
        value: object,
        expected: str,
    ) -> None:
        self.section = section
        self.key = key
        self.value = value
        self.expected = expected
        super().__init__(
            f"[{section}] {key} = {value!r} is not valid: expected {expected}"
        )


class PluginError(GatewayError):
    """A plugin is missing, broken, or broke its hook contract."""


class StorageUnavailable(GatewayError):
    """Storage cannot be reached right now; the write may be tried later."""


class StorageRejected(GatewayError):
    """Storage is reachable but refuses this alarm (a value it cannot hold).

    Retrying the same alarm cannot help; the spool sets such alarms aside
    instead of retrying them.
    """
