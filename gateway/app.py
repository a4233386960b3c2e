"""The application factory: config, logging, plugins, blueprints."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Mapping

from flask import Flask
from flask_smorest import Api

from gateway import __version__
from gateway._json import GatewayJSONProvider
from gateway._logging import setup_logging
from gateway.api import alarms
from gateway.api import deliveries
from gateway.api import errors
from gateway.api import middleware
from gateway.api import server
from gateway.api import webhook
from gateway.config import GatewayConfig
from gateway.config import load_config
from gateway.dedup import DedupSettings
from gateway.delivery import DeliverySettings
from gateway.delivery import Dispatcher
from gateway.ingest import Ingest
from gateway.plugins import PluginHost
from gateway.retention import RetentionTimer
from gateway.spool import Spool


@dataclass
class Gateway:
    """What the views of one app share: config, plugins, the pipeline."""

    config: GatewayConfig
    plugins: PluginHost
    ingest: Ingest
    dispatcher: Dispatcher
    spool: Spool | None
    started_at: float
    retention: RetentionTimer | None = None

    def close(self) -> None:
        """Stop background work and release connections."""
        if self.retention is not None:
            self.retention.stop()
        self.dispatcher.stop()
        if self.spool is not None:
            self.spool.stop()
        self.plugins.shutdown()


def create_app(
    config: GatewayConfig | Mapping[str, Mapping[str, str]] | None = None,
    *,
    plugins: Mapping[str, object] | None = None,
    start: bool = True,
) -> Flask:
    """Build a gateway app; no work happens at import time.

    :param config: a loaded :class:`GatewayConfig`, or a mapping of
        sections that overrides ``gateway.ini`` and the environment.
    :param plugins: plugin objects by name that win over installed ones.
    :param start: run the plugins' start-up (connect storage, start
        threads); ``False`` only configures them.
    """
    if not isinstance(config, GatewayConfig):
        config = load_config(overrides=config)
    setup_logging(config)

    host = PluginHost.from_config(config, extra=plugins)
    host.configure(config)
    host.require_storage()
    dispatcher = build_dispatcher(config, host)
    ingest = Ingest(host, dispatcher, DedupSettings.from_config(config))
    spool = None
    if config.get_bool("gateway", "spool", True):
        spool = Spool(config.data_dir / "spool", ingest.store, ingest.announce)
        ingest.spool = spool

    if start:
        host.startup(config)
        if spool is not None:
            spool.start()
        if dispatcher.settings.is_enabled:
            dispatcher.start()

    app = Flask("gateway")
    app.json = GatewayJSONProvider(app)
    app.config.update(
        MAX_CONTENT_LENGTH=config.max_body_bytes,
        API_TITLE="AlarmHugger",
        API_VERSION=__version__,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/docs",
        OPENAPI_JSON_PATH="openapi.json",
        # The interactive page at /docs/ loads Swagger UI from a CDN.
        OPENAPI_SWAGGER_UI_PATH="/",
        OPENAPI_SWAGGER_UI_URL="https://cdn.jsdelivr.net/npm/swagger-ui-dist/",
    )
    retention = build_retention(config, host)
    if start and retention is not None:
        retention.start()
    app.extensions["gateway"] = Gateway(
        config, host, ingest, dispatcher, spool, time.time(), retention
    )

    api = Api(app)
    for blueprint in (webhook.bp, alarms.bp, deliveries.bp, server.bp):
        api.register_blueprint(blueprint)
    try:
        host.register_routes(app)
    except Exception:
        # Started threads and connections must not outlive a refused start.
        gateway_of(app).close()
        raise
    errors.register(app)
    middleware.register(app, config)
    return app


def build_dispatcher(config: GatewayConfig, host: PluginHost) -> Dispatcher:
    """Collect every plugin's notifiers into a (not yet started) dispatcher."""
    notifiers = []
    for plugin, contributed in host.call_all(
        "gateway_register_notifiers", config=config
    ):
        for notifier in contributed or []:
            notifiers.append(notifier)

    names = [notifier.name for notifier in notifiers]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        from gateway.errors import PluginError

        raise PluginError(f"two notifiers are both named {duplicates[0]!r}")
    return Dispatcher(host, notifiers, DeliverySettings.from_config(config), config)


def build_retention(config: GatewayConfig, host: PluginHost) -> RetentionTimer | None:
    """The hourly pruning thread for ``[gateway] retention`` (``None`` when unset)."""
    from gateway.dedup import parse_duration
    from gateway.errors import ConfigError

    raw = config.get("gateway", "retention")
    if raw is None:
        return None
    try:
        age = parse_duration(raw)
    except ValueError:
        raise ConfigError(
            "gateway", "retention", raw, "a duration such as 90d"
        ) from None
    if age.total_seconds() < 3600:
        raise ConfigError("gateway", "retention", raw, "a duration of at least 1h")
    return RetentionTimer(host, age)


def gateway_of(app: Flask) -> Gateway:
    """Return the :class:`Gateway` an app was built with."""
    return app.extensions["gateway"]
