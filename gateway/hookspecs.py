"""The whole plugin contract: every hook the core calls, and when.

Each hook's docstring is what a plugin author codes against. Hook
implementations may accept only the arguments they need, so the core can
add arguments without breaking anyone; removing or renaming one is a
breaking change and bumps :data:`HOOK_API_VERSION`.

Hooks marked *first result* stop at the first implementation that returns
something other than ``None``. Implementations are asked in the order the
plugins are listed in ``[gateway] plugins``; ``tryfirst=True`` and
``trylast=True`` on the implementation move it to the front or the back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Mapping

import pluggy

if TYPE_CHECKING:
    from gateway._types import Alarm
    from gateway._types import AlarmPage
    from gateway._types import AlarmQuery
    from gateway._types import CheckResult
    from gateway._types import InboundRequest
    from gateway._types import ParsedAlarm
    from gateway._types import Rejection
    from gateway._types import StoreResult
    from gateway.config import GatewayConfig

PROJECT = "gateway"
HOOK_API_VERSION = 1

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# --------------------------------------------------------------------------
# Lifecycle
# --------------------------------------------------------------------------


@hookspec
def gateway_configure(config: GatewayConfig) -> None:
    """Read and check this plugin's settings; called once per gateway.

    Called for every enabled plugin when the gateway is built, by
    ``gateway serve`` and ``gateway check-config`` alike, before any other
    hook. Read your own section with ``config.plugin_settings("NAME")`` and
    keep what you need on the plugin object. Do not connect to anything
    here: ``check-config`` must work without the network.

    :param config: the gateway's validated configuration.
    :raises gateway.kit.ConfigError: to refuse a bad setting; the start
        stops with your message. Any other exception also stops the start,
        reported with the plugin's name.
    """


@hookspec
def gateway_startup(config: GatewayConfig) -> None:
    """Open connections and start background work; called once per gateway.

    Called after every plugin was configured, when the gateway is about to
    serve (or to run a command that needs storage). An exception stops the
    start, reported with the plugin's name.
    """


@hookspec
def gateway_shutdown() -> None:
    """Release what :func:`gateway_startup` opened; called once on stop.

    Exceptions are logged with the plugin's name and otherwise ignored, so
    every plugin gets its turn.
    """


# --------------------------------------------------------------------------
# Screening: who may send alarms
# --------------------------------------------------------------------------


@hookspec(firstresult=True)
def gateway_screen_request(request: InboundRequest) -> Rejection | None:
    """Decide whether a webhook request may come in; once per request.

    Called before the body is parsed. Return a
    :class:`~gateway.kit.Rejection` to refuse it (the first one wins and
    becomes the JSON answer), or ``None`` to let it pass. Rejected
    requests are logged and counted, never stored.

    An exception refuses the request with 503 (the sender may retry) and is
    logged with the plugin's name: a screen that breaks fails closed.

    *First result.*
    """


# --------------------------------------------------------------------------
# Parsing: what the body means
# --------------------------------------------------------------------------


@hookspec(firstresult=True)
def gateway_parse_alarm(request: InboundRequest) -> ParsedAlarm | None:
    """Turn a webhook body into a normalised alarm; once per request.

    Return a :class:`~gateway.kit.ParsedAlarm` to claim the body, or
    ``None`` to leave it to the next parser. The core's own raw parser runs
    last and claims anything, so a body is never thrown away. A parser must
    never evaluate the body as code.

    An exception is logged with the plugin's name and treated as ``None``.

    *First result.*
    """


@hookspec
def gateway_enrich_alarm(alarm: Alarm, request: InboundRequest) -> None:
    """Add fields to a parsed alarm before it is stored; once per alarm.

    Change ``alarm`` in place (``alarm.fields[...] = ...``). Every
    enabled implementation is called. An exception is logged with the
    plugin's name and the alarm's id, and the alarm is stored as it is.
    """


# --------------------------------------------------------------------------
# Storage: where alarms are kept
# --------------------------------------------------------------------------


@hookspec(firstresult=True)
def gateway_store_alarm(alarm: Alarm) -> StoreResult | None:
    """Write one alarm durably; once per accepted request.

    Return only after the alarm is committed. The client is answered 2xx
    after this returns.

    :raises gateway.kit.StorageUnavailable: when the store cannot be
        reached; the core answers 503 so the sender retries.

    *First result.*
    """


@hookspec(firstresult=True)
def gateway_query_alarms(query: AlarmQuery) -> AlarmPage | None:
    """List stored alarms matching ``query``, newest first.

    Return at most ``query.limit`` alarms and whether more follow.

    *First result.*
    """


@hookspec(firstresult=True)
def gateway_get_alarm(alarm_id: str) -> Alarm | None:
    """Fetch one stored alarm by id; ``None`` when there is none.

    *First result.*
    """


@hookspec(firstresult=True)
def gateway_upgrade_storage() -> str | None:
    """Bring the storage schema up to date (``gateway db upgrade``).

    Return a one-line description of what was done, e.g. the revision now
    in place.

    *First result.*
    """


@hookspec
def gateway_alarm_stored(alarm: Alarm, result: StoreResult) -> None:
    """React to an alarm that was just committed; once per stored alarm.

    Called in the request thread after the commit and before the answer:
    keep it quick (wake a thread, bump a counter). Exceptions are logged
    with the plugin's name and the alarm's id.
    """


# --------------------------------------------------------------------------
# Health
# --------------------------------------------------------------------------


@hookspec
def gateway_check_health() -> Mapping[str, CheckResult] | None:
    """Report this plugin's own checks for ``/server/status-server``.

    Return a mapping of check name (e.g. ``"database"``) to
    :class:`~gateway.kit.CheckResult`. Every implementation is called. An
    exception counts as a failed check named after the plugin.
    """
