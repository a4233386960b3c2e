"""The whole plugin contract: every hook the core calls, and when.

Each hook's docstring is what a plugin author codes against. Hook
implementations may accept only the arguments they need, so the core can
add arguments without breaking anyone; removing or renaming one is a
breaking change and bumps :data:`HOOK_API_VERSION`.

Hooks marked *first result* stop at the first implementation that returns
something other than ``None``. Implementations are asked in the order the
plugins are listed in ``[gateway] plugins``; ``tryfirst=True`` and
``trylast=True`` on the implementation move it to the front or the back,
and ``[gateway] order.<hook> = a, b`` reorders the named plugins among
themselves for one hook.

A plugin may state which versions of this contract it was written for with
a ``hook_api_versions`` attribute (see :data:`HOOK_API_VERSION`); the
reference for plugin authors is ``docs/plugins.md``, generated from the
docstrings below.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from typing import Any
from typing import Mapping

import pluggy

if TYPE_CHECKING:
    import click
    from flask import Flask
    from marshmallow import Schema

    from gateway._types import Alarm
    from gateway._types import AlarmPage
    from gateway._types import AlarmQuery
    from gateway._types import CheckResult
    from gateway._types import Delivery
    from gateway._types import DeliveryOutcome
    from gateway._types import DeliveryQuery
    from gateway._types import InboundRequest
    from gateway._types import NotifierBacklog
    from gateway._types import ParsedAlarm
    from gateway._types import Rejection
    from gateway._types import StoreResult
    from gateway.config import GatewayConfig
    from gateway.notify import Notifier

PROJECT = "gateway"

# The version of this contract. It goes up only when a hook or an argument
# is removed or renamed, or a hook's meaning changes; adding hooks or
# arguments keeps it. A plugin states the versions it supports with a
# ``hook_api_versions`` attribute (an int, a tuple of ints or a range).
HOOK_API_VERSION = 1

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# --------------------------------------------------------------------------
# Lifecycle
# --------------------------------------------------------------------------


@hookspec
def gateway_settings_schema() -> type[Schema] | Schema | None:
    """Declare this plugin's settings as a marshmallow schema; once per gateway.

    Called for every enabled plugin when the gateway is built, by
    ``gateway serve`` and ``gateway check-config`` alike, before
    :func:`gateway_configure`. Return a :class:`marshmallow.Schema` class
    (or instance) describing the keys of your ``[plugin:NAME]`` section, or
    ``None`` to check the section yourself. The core loads the section
    with it and hands the result to :func:`gateway_configure` as
    ``settings``.

    Values arrive as the strings written in ``gateway.ini``; a key left
    empty counts as not set, so ``load_default`` applies. Unknown keys are
    refused unless the schema says otherwise (``unknown = EXCLUDE``). Mark
    a field ``metadata={"secret": True}`` to keep its value out of logs and
    error messages (keys named like ``token`` or ``password`` are masked
    anyway). A failed field stops the start with a
    :class:`~gateway.kit.ConfigError` naming the section, the key, the
    (masked) value and what was expected, taken from the field's type,
    its ``metadata={"expected": ...}`` and marshmallow's message.

    An exception raised by this hook stops the start, reported with the
    plugin's name.

    .. versionadded:: 0.2
    """


@hookspec
def gateway_configure(config: GatewayConfig, settings: dict[str, Any]) -> None:
    """Read and check this plugin's settings; called once per gateway.

    Called for every enabled plugin when the gateway is built, by
    ``gateway serve`` and ``gateway check-config`` alike, after
    :func:`gateway_settings_schema` and before any other hook. Keep what
    you need on the plugin object. Do not connect to anything here:
    ``check-config`` must work without the network.

    :param config: the gateway's validated configuration; other sections
        are read with ``config.get(...)`` and the typed getters.
    :param settings: this plugin's own ``[plugin:NAME]`` section: what the
        plugin's settings schema loaded (typed values, defaults filled in)
        when it declares one, otherwise the raw strings as written
        (``config.plugin_settings("NAME")``).
    :raises gateway.kit.ConfigError: to refuse a bad setting; the start
        stops with your message. Any other exception also stops the start,
        reported with the plugin's name.

    .. versionchanged:: 0.2
       The ``settings`` argument.
    """


@hookspec
def gateway_startup(config: GatewayConfig) -> None:
    """Open connections and start background work; called once per gateway.

    Called after every plugin was configured, when the gateway is about to
    serve (or to run a command that needs storage).

    :param config: the gateway's validated configuration.

    An exception stops the start, reported with the plugin's name.
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
    enabled implementation is called.

    An exception is logged with the plugin's name and the alarm's id, and
    the alarm is stored as it is.
    """


# --------------------------------------------------------------------------
# Storage: where alarms are kept
# --------------------------------------------------------------------------


@hookspec(firstresult=True)
def gateway_store_alarm(alarm: Alarm, notifiers: list[str]) -> StoreResult | None:
    """Write one alarm and its pending deliveries durably; once per alarm.

    In one transaction: insert the alarm and one ``pending`` delivery, due
    now, for each name in ``notifiers``. Return only after the commit; the
    client is answered 2xx after this returns.

    :param alarm: the alarm to write, with its new id.
    :param notifiers: the names of the notifiers that accepted the alarm.

    Writing is idempotent on ``alarm.id``: when that id is already stored
    (a spooled alarm drained twice), return ``StoreResult(alarm.id)`` and
    write nothing. When ``alarm.dedup_key`` is set and an alarm with the
    same key is stored whose ``dedup_until`` has not passed at
    ``alarm.received_at``, write nothing new: add one to the original's
    ``duplicates`` and return ``StoreResult(original_id, duplicate=True)``.
    Two copies arriving at the same moment must not both be stored.

    :raises gateway.kit.StorageUnavailable: when the store cannot be
        reached. The alarm then goes to the spool (the sender gets 202) or,
        with the spool off, the sender gets 503 and retries. Any other
        exception is logged with the plugin's name and the alarm's id and
        handled the same way.

    *First result.*
    """


@hookspec(firstresult=True)
def gateway_query_alarms(query: AlarmQuery) -> AlarmPage | None:
    """List stored alarms matching ``query``, newest first.

    Called for ``GET /alarms`` and ``GET /alarms/latest``. Return at most
    ``query.limit`` alarms and whether more follow.

    An exception answers that API request with a JSON 500 and is logged
    with the plugin's name.

    *First result.*
    """


@hookspec(firstresult=True)
def gateway_get_alarm(alarm_id: str) -> Alarm | None:
    """Fetch one stored alarm by id, with its deliveries; ``None`` when absent.

    Called for ``GET /alarms/<id>``.

    An exception answers that API request with a JSON 500 and is logged
    with the plugin's name.

    *First result.*
    """


@hookspec(firstresult=True)
def gateway_claim_deliveries(
    notifier: str, worker: str, limit: int, lease_s: float
) -> list[Delivery] | None:
    """Claim up to ``limit`` due pending deliveries of one notifier.

    Due means ``next_attempt_at`` has passed and no unexpired claim is held.
    Oldest alarm first (by the alarm's ``received_at``, then id). Mark the
    claimed ones with ``worker`` and a lease of ``lease_s`` seconds, so a
    worker that dies does not hold them for ever; fill ``Delivery.alarm``.
    Several processes may claim at once: no delivery may be handed to two
    claimers (``FOR UPDATE SKIP LOCKED`` on PostgreSQL).

    Called by each notifier's delivery lane whenever it looks for work.

    An exception counts as nothing claimed and the lane asks again at its
    next poll; it is logged with the plugin's name (a
    :class:`~gateway.kit.StorageUnavailable` quietly).

    *First result.*
    """


@hookspec(firstresult=True)
def gateway_finish_delivery(
    delivery: Delivery, outcome: DeliveryOutcome
) -> bool | None:
    """Record the outcome of one attempt and release the claim.

    Set ``state`` and ``next_attempt_at`` from ``outcome``; add one to
    ``attempts`` when ``outcome.counts_as_attempt``; replace ``last_error``
    when ``outcome.error`` is set (clear it on ``delivered``) and
    ``detail`` when ``outcome.detail`` is set. Return ``True`` when
    recorded, ``False`` when another worker holds the claim by now.

    An exception is logged with the plugin's name; the delivery stays
    claimed until its lease runs out and is attempted again after that.

    *First result.*
    """


@hookspec(firstresult=True)
def gateway_release_deliveries(worker: str) -> int | None:
    """Release every claim ``worker`` holds (on a clean stop); return how many.

    An exception is logged as a warning; the claims then expire with their
    leases.

    *First result.*
    """


@hookspec(firstresult=True)
def gateway_query_deliveries(query: DeliveryQuery) -> list[Delivery] | None:
    """List deliveries matching ``query``, newest first, without their alarms.

    Called for ``GET /deliveries``, ``POST /deliveries/<id>/retry`` and
    ``gateway deliveries list``.

    An exception answers the API request with a JSON 500, or stops the
    command with the plugin's name.

    *First result.*
    """


@hookspec(firstresult=True)
def gateway_requeue_deliveries(
    delivery_ids: list[str] | None, state: str
) -> int | None:
    """Make deliveries pending and due now again; return how many.

    With ``delivery_ids`` ``None``, every delivery in ``state`` (``dead``)
    is re-queued; otherwise only those ids that are in ``state``. The
    attempt count starts again from zero.

    An exception answers the API request with a JSON 500, or stops
    ``gateway deliveries retry`` with the plugin's name.

    *First result.*
    """


@hookspec(firstresult=True)
def gateway_delivery_backlog() -> dict[str, NotifierBacklog] | None:
    """Count pending and dead deliveries per notifier, for health.

    Called for ``GET /server/status-server`` when notifiers are enabled.

    An exception is logged as a warning and the report shows no counts.

    *First result.*
    """


@hookspec(firstresult=True)
def gateway_prune_alarms(received_before: dt.datetime) -> int | None:
    """Delete alarms received before ``received_before``, with their deliveries.

    Used by ``gateway alarms prune`` and the ``[gateway] retention``
    setting. Alarms with a pending delivery are kept. Return how many
    alarms were deleted.

    An exception in the hourly retention run is logged as a warning and
    tried again an hour later; in ``gateway alarms prune`` it stops the
    command with the plugin's name.

    *First result.*

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def gateway_upgrade_storage() -> str | None:
    """Bring the storage schema up to date (``gateway db upgrade``).

    Called after :func:`gateway_configure` but without
    :func:`gateway_startup`: open what the upgrade needs and close it again
    (or reuse the connection when the gateway is already started).

    Return a one-line description of what was done, e.g. the revision now
    in place.

    An exception stops ``gateway db upgrade`` (exit status 1) with the
    plugin's name.

    *First result.*
    """


@hookspec
def gateway_alarm_stored(alarm: Alarm, result: StoreResult) -> None:
    """React to an alarm that was just committed; once per stored alarm.

    Called in the request thread after the commit and before the answer:
    keep it quick (wake a thread, bump a counter). Every implementation is
    called; duplicates of a stored alarm are not announced.

    Exceptions are logged with the plugin's name and the alarm's id.
    """


# --------------------------------------------------------------------------
# Notification: passing alarms on
# --------------------------------------------------------------------------


@hookspec
def gateway_register_notifiers(config: GatewayConfig) -> list[Notifier] | None:
    """Contribute the notifiers this plugin delivers to; once per gateway.

    Called after :func:`gateway_configure`. Return a list of
    :class:`~gateway.kit.Notifier` objects with names unique across the
    gateway. Every implementation is called.

    :param config: the gateway's validated configuration.

    An exception stops the start, reported with the plugin's name.
    """


# --------------------------------------------------------------------------
# Health
# --------------------------------------------------------------------------


@hookspec
def gateway_check_health() -> Mapping[str, CheckResult] | None:
    """Report this plugin's own checks for ``/server/status-server``.

    Return a mapping of check name (e.g. ``"database"``) to
    :class:`~gateway.kit.CheckResult`. Every implementation is called.

    An exception counts as a failed check named after the plugin.
    """


# --------------------------------------------------------------------------
# Web and command line: what a plugin adds to the gateway's surface
# --------------------------------------------------------------------------


@hookspec
def gateway_register_routes(app: Flask) -> None:
    """Add this plugin's own HTTP routes to the app; once per app.

    Called when the app is built, after :func:`gateway_configure` and after
    the core's own blueprints are registered. Register a
    :class:`flask.Blueprint` with ``app.register_blueprint(bp)``, e.g. a
    sender-specific webhook path whose view hands the request to the
    pipeline with :func:`gateway.kit.receive_webhook`. Use URL prefixes of
    your own (``/<plugin name>/...``): the core's paths are ``/alarms``,
    ``/deliveries``, ``/server`` and ``/docs``. Plugin routes do not appear
    in the OpenAPI description and are not behind the read API key: put a
    route that reads alarms behind it with
    ``bp.before_request(gateway.kit.require_api_key)``. Every
    implementation is called.

    :param app: the Flask app being built.

    An exception stops the start, reported with the plugin's name.

    .. versionadded:: 0.2
    """


@hookspec
def gateway_register_commands(cli: click.Group) -> None:
    """Add this plugin's own commands to the ``gateway`` command line.

    Called when ``gateway`` is asked for a command it does not know itself,
    and by ``gateway plugins`` to list each plugin's commands; never for
    the core's own commands or ``gateway --help``, which stay fast and work
    without any configuration. To run a command, the plugins enabled in
    the ``gateway.ini`` in use (``--config`` after the command name,
    ``GATEWAY_CONFIG`` or ``./gateway.ini``) are loaded and configured
    first, so the command may use what :func:`gateway_configure` kept;
    nothing is started. Read settings inside the command, not while
    registering it: ``gateway plugins`` registers without configuring.

    Add commands with ``@cli.command()`` or ``cli.add_command(...)``; a
    name the core already uses is ignored. Every top-level command gets a
    ``--config`` option. Every implementation is called.

    :param cli: a :class:`click.Group` collecting this run's plugin commands.

    An exception (or a bad configuration) leaves the plugin commands out:
    asking for one says why, and the core's commands keep working.

    .. versionadded:: 0.2
    """
