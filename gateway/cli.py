"""The ``gateway`` command: serve, plugins, check-config, db upgrade."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from typing import Any
from typing import Callable

import click
from loguru import logger

from gateway import __version__
from gateway._logging import mask
from gateway._logging import setup_logging
from gateway.config import GatewayConfig
from gateway.config import load_config
from gateway.errors import GatewayError
from gateway.plugins import PluginHost
from gateway.plugins import find_installed_plugins

config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="GATEWAY_CONFIG",
    help="gateway.ini to read (default: ./gateway.ini, or built-in defaults).",
)


def _load(config_path: Path | None, **gateway_overrides: Any) -> GatewayConfig:
    overrides = {
        "gateway": {key: str(value) for key, value in gateway_overrides.items() if value is not None}
    }
    try:
        config = load_config(config_path, overrides=overrides)
    except GatewayError as error:
        raise click.ClickException(mask(str(error))) from error
    setup_logging(config)
    return config


def _guarded(action: Callable[[], Any]) -> Any:
    try:
        return action()
    except GatewayError as error:
        raise click.ClickException(mask(str(error))) from error


@click.group()
@click.version_option(__version__, prog_name="gateway")
def main() -> None:
    """AlarmHugger: receive TradingView alerts, store them, pass them on."""


@main.command()
@config_option
@click.option("--host", help="Address to listen on (default from [gateway] host).")
@click.option("--port", type=int, help="Port to listen on (default from [gateway] port).")
@click.option("--threads", type=int, help="Request threads (default from [gateway] threads).")
@click.option("--debug", is_flag=True, help="Use Flask's development server instead of waitress.")
def serve(
    config_path: Path | None,
    host: str | None,
    port: int | None,
    threads: int | None,
    debug: bool,
) -> None:
    """Serve the gateway with waitress."""
    from gateway.app import create_app
    from gateway.app import gateway_of

    config = _load(config_path, host=host, port=port, threads=threads)
    app = _guarded(lambda: create_app(config))
    listen_host = config.get("gateway", "host", "127.0.0.1")
    listen_port = config.get_int("gateway", "port", 8080)

    logger.info(
        "AlarmHugger {} serving on http://{}:{} ({} threads, plugins: {})",
        __version__,
        listen_host,
        listen_port,
        config.threads,
        ", ".join(config.enabled_plugins),
    )
    _warn_if_exposed(config, listen_host)
    _stop_on_sigterm()
    try:
        if debug:
            app.run(host=listen_host, port=listen_port, debug=True, use_reloader=False)
        else:
            from gateway._serving import serve as serve_with_waitress

            ingest = gateway_of(app).ingest
            serve_with_waitress(
                app,
                config,
                listen_host,
                listen_port,
                on_reject=lambda status: ingest.count(f"rejected_{status}"),
            )
    finally:
        gateway_of(app).close()
        logger.info("AlarmHugger stopped")
        logger.complete()


def _warn_if_exposed(config: GatewayConfig, host: str) -> None:
    is_local = host in {"127.0.0.1", "::1", "localhost"}
    if is_local:
        return
    if "token" not in config.enabled_plugins:
        logger.warning(
            "listening on {} without the token plugin: anyone who can reach "
            "this port can post alarms; add token to [gateway] plugins",
            host,
        )
    if not config.get_list("api", "keys"):
        logger.warning(
            "listening on {} without an API key: anyone who can reach this "
            "port can read alarms; set APIKEY",
            host,
        )


def _stop_on_sigterm() -> None:
    # Turn SIGTERM into a normal exit so the finally blocks run: lanes stop,
    # claims are released, logs are flushed.
    def handle(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, handle)


@main.command()
@config_option
def worker(config_path: Path | None) -> None:
    """Run only the delivery dispatcher (no HTTP), e.g. on another machine."""
    from gateway.app import build_dispatcher
    from gateway.app import build_retention

    config = _load(config_path)

    def start() -> tuple[PluginHost, Any, Any]:
        host = PluginHost.from_config(config)
        host.configure(config)
        dispatcher = build_dispatcher(config, host)
        retention = build_retention(config, host)
        host.startup(config)
        dispatcher.start()
        if retention is not None:
            retention.start()
        return host, dispatcher, retention

    host, dispatcher, retention = _guarded(start)
    _stop_on_sigterm()
    logger.info("delivery worker running; stop with Ctrl-C or SIGTERM")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        if retention is not None:
            retention.stop()
        dispatcher.stop()
        host.shutdown()
        logger.info("delivery worker stopped")
        logger.complete()


@main.group()
def deliveries() -> None:
    """See and re-queue deliveries of alarms to notifiers."""


def _with_storage(config: GatewayConfig, hook: str, **kwargs: Any) -> Any:
    host = PluginHost.from_config(config)
    host.configure(config)
    host.startup(config)
    try:
        answer = host.call_first(hook, **kwargs)
    finally:
        host.shutdown()
    if answer is None:
        raise click.ClickException("no enabled storage plugin keeps deliveries")
    return answer[1]


@deliveries.command("list")
@config_option
@click.option("--state", type=click.Choice(["pending", "delivered", "dead"]))
@click.option("--notifier", help="Only this notifier's deliveries.")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
def deliveries_list(
    config_path: Path | None, state: str | None, notifier: str | None, limit: int
) -> None:
    """List deliveries, newest first."""
    from gateway._types import DeliveryQuery

    config = _load(config_path)
    query = DeliveryQuery(state=state, notifier=notifier, limit=limit)
    found = _guarded(lambda: _with_storage(config, "gateway_query_deliveries", query=query))
    for delivery in found:
        error = f"  {delivery.last_error}" if delivery.last_error else ""
        click.echo(
            f"{delivery.id}  {delivery.notifier:<10} {delivery.state:<9} "
            f"attempts={delivery.attempts} alarm={delivery.alarm_id}{error}"
        )
    click.echo(f"{len(found)} deliveries")


@deliveries.command("retry")
@config_option
@click.option("--dead", "all_dead", is_flag=True, help="Re-queue every dead delivery.")
@click.argument("delivery_ids", nargs=-1)
def deliveries_retry(
    config_path: Path | None, all_dead: bool, delivery_ids: tuple[str, ...]
) -> None:
    """Re-queue dead deliveries (by id, or all with --dead) to be sent again."""
    if not all_dead and not delivery_ids:
        raise click.UsageError("name delivery ids or pass --dead")

    config = _load(config_path)
    ids = None if all_dead else list(delivery_ids)
    count = _guarded(
        lambda: _with_storage(
            config, "gateway_requeue_deliveries", delivery_ids=ids, state="dead"
        )
    )
    click.echo(f"{count} deliveries re-queued")


@main.group()
def alarms() -> None:
    """Stored alarm commands."""


@alarms.command("prune")
@config_option
@click.option(
    "--older-than",
    "older_than",
    required=True,
    help="Delete alarms received longer ago than this: 30d, 12h, 90m.",
)
def alarms_prune(config_path: Path | None, older_than: str) -> None:
    """Delete old alarms (and their finished deliveries)."""
    from gateway.dedup import parse_duration
    from gateway.retention import prune

    try:
        age = parse_duration(older_than)
    except ValueError:
        raise click.BadParameter("a duration such as 30d, 12h or 90m", param_hint="--older-than") from None

    config = _load(config_path)

    def run() -> int:
        host = PluginHost.from_config(config)
        host.configure(config)
        host.startup(config)
        try:
            return prune(host, age)
        finally:
            host.shutdown()

    try:
        deleted = _guarded(run)
    except LookupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{deleted} alarms deleted")


@main.command("plugins")
@config_option
def list_plugins(config_path: Path | None) -> None:
    """List installed plugins, which are enabled, and the hooks each implements."""
    config = _load(config_path)
    installed = find_installed_plugins()
    host = _guarded(lambda: PluginHost.from_config(config))

    click.echo(f"entry-point group: alarmhugger.plugins ({len(installed)} installed)")
    for name, plugin in sorted(installed.items()):
        state = "enabled" if name in host.enabled else "disabled"
        click.echo(f"  {name:<14} {state:<9} {plugin.distribution} {plugin.version}")
        if name in host.enabled:
            click.echo(f"      hooks: {', '.join(host.hooks_of(name))}")


@main.command("check-config")
@config_option
def check_config(config_path: Path | None) -> None:
    """Check gateway.ini and every enabled plugin's settings without serving."""
    config = _load(config_path)
    installed = find_installed_plugins()

    def build() -> None:
        host = PluginHost.from_config(config)
        host.configure(config)

    _guarded(build)
    source = config.path or "built-in defaults (no gateway.ini found)"
    click.echo(f"configuration: {source}")
    click.echo("plugins found:")
    for name, plugin in sorted(installed.items()):
        mark = "*" if name in config.enabled_plugins else " "
        click.echo(f" {mark} {name} ({plugin.distribution} {plugin.version})")
    click.echo(f"enabled, in order: {', '.join(config.enabled_plugins)}")
    click.echo("configuration OK")


@main.group()
def db() -> None:
    """Storage schema commands."""


@db.command("upgrade")
@config_option
def db_upgrade(config_path: Path | None) -> None:
    """Bring the storage schema up to date (Alembic migrations)."""
    config = _load(config_path)

    def upgrade() -> str | None:
        host = PluginHost.from_config(config)
        host.configure(config)
        try:
            answer = host.call_first("gateway_upgrade_storage")
        finally:
            host.shutdown()
        return answer[1] if answer else None

    result = _guarded(upgrade)
    if result is None:
        raise click.ClickException("no enabled plugin manages a storage schema")
    click.echo(result)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
