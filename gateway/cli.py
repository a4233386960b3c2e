"""The ``gateway`` command: serve, plugins, check-config, db upgrade, new-plugin.

Plugins add commands of their own through ``gateway_register_commands``;
those are looked for only when a command name is not the core's own, so
``gateway --help`` and the core's commands never load a plugin for them
(``gateway plugins`` lists what each enabled plugin adds).
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from typing import Callable
from typing import Iterator

import click
from loguru import logger

from gateway import __version__
from gateway._logging import mask
from gateway._logging import setup_logging
from gateway.config import GatewayConfig
from gateway.config import load_config
from gateway.errors import GatewayError
from gateway.plugins import PluginCallError
from gateway.plugins import PluginHost
from gateway.plugins import find_installed_plugins
from gateway.plugins import supported_api_versions

config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="GATEWAY_CONFIG",
    help="gateway.ini to read (default: ./gateway.ini, or built-in defaults).",
)


def _load(config_path: Path | None, **gateway_overrides: Any) -> GatewayConfig:
    overrides = {
        "gateway": {
            key: str(value)
            for key, value in gateway_overrides.items()
            if value is not None
        }
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
    except (GatewayError, PluginCallError) as error:
        raise click.ClickException(mask(str(error))) from error


# Where one run of ``gateway`` keeps the plugin commands it found.
_PLUGIN_COMMANDS = "gateway.plugin_commands"
_PLUGIN_CONFIG = "gateway.plugin_config"


@dataclass
class PluginCommands:
    """The commands enabled plugins added for one run, or why there are none."""

    commands: dict[str, click.Command] = field(default_factory=dict)
    config: GatewayConfig | None = None
    problems: list[str] = field(default_factory=list)


class GatewayGroup(click.Group):
    """The ``gateway`` group: the core's commands, then those plugins add.

    ``--help`` lists only the core's commands, so it stays fast and works
    without any configuration; a name the core does not know is looked up
    among the enabled plugins' commands.
    """

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """A core command by name, else a plugin's (looked for only then)."""
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        return _plugin_commands(ctx).commands.get(cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Find the command to run; a plugin's runs with logging set up."""
        is_plugin_command = bool(args) and args[0] not in self.commands
        if is_plugin_command:
            ctx.meta[_PLUGIN_CONFIG] = _config_path_in(args[1:])
        try:
            name, command, rest = super().resolve_command(ctx, args)
        except click.UsageError as error:
            found = _plugin_commands(ctx)
            if not (is_plugin_command and found.problems):
                raise
            problems = "; ".join(found.problems)
            raise click.UsageError(
                f"{error.message}\n(plugin commands not loaded: {problems})", ctx
            ) from error

        found = _plugin_commands(ctx)
        if is_plugin_command and found.config is not None and not ctx.resilient_parsing:
            setup_logging(found.config)
        return name, command, rest


def _config_path_in(args: list[str]) -> Path | None:
    for position, arg in enumerate(args):
        if arg == "--config" and position + 1 < len(args):
            return Path(args[position + 1])
        if arg.startswith("--config="):
            return Path(arg.split("=", 1)[1])
    return None


def _plugin_commands(ctx: click.Context) -> PluginCommands:
    root = ctx.find_root()
    found = root.meta.get(_PLUGIN_COMMANDS)
    if found is None:
        config_path = root.meta.get(_PLUGIN_CONFIG)
        found = _discover_plugin_commands(config_path, set(main.commands))
        root.meta[_PLUGIN_COMMANDS] = found
    return found


def _discover_plugin_commands(
    config_path: Path | None, taken: set[str]
) -> PluginCommands:
    """Load and configure the enabled plugins; collect the commands they add.

    Logging stays off meanwhile, so the plugin host's start-up lines do not
    precede every plugin command's output; the command itself runs with
    logging set up from the same configuration.
    """
    collector = click.Group("plugin-commands")
    found = PluginCommands()
    logger.disable("")
    try:
        config = load_config(config_path)
        host = PluginHost.from_config(config)
        host.configure(config)
        host.register_commands(collector)
    except Exception as error:  # a broken plugin must not break the core's CLI
        found.problems.append(mask(str(error)))
        return found
    finally:
        logger.enable("")

    found.config = config
    for name, command in collector.commands.items():
        if name in taken:
            found.problems.append(
                f"a plugin's command {name!r} has the name of a core command; ignored"
            )
            continue
        _give_config_option(command)
        found.commands[name] = command
    return found


def _give_config_option(command: click.Command) -> None:
    # The path is read before the command runs (see resolve_command); the
    # option only lets the command line carry it.
    if any("--config" in getattr(param, "opts", ()) for param in command.params):
        return
    command.params.append(
        click.Option(
            ["--config"],
            type=click.Path(dir_okay=False),
            expose_value=False,
            help="gateway.ini to read (default: GATEWAY_CONFIG or ./gateway.ini).",
        )
    )


@click.group(
    cls=GatewayGroup,
    epilog="Enabled plugins may add commands of their own: `gateway plugins` lists them.",
)
@click.version_option(__version__, prog_name="gateway")
def main() -> None:
    """AlarmHugger: receive TradingView alerts, store them, pass them on."""


@main.command()
@config_option
@click.option("--host", help="Address to listen on (default from [gateway] host).")
@click.option(
    "--port", type=int, help="Port to listen on (default from [gateway] port)."
)
@click.option(
    "--threads", type=int, help="Request threads (default from [gateway] threads)."
)
@click.option(
    "--debug", is_flag=True, help="Use Flask's development server instead of waitress."
)
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

    def announce() -> None:
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
            announce()
            app.run(host=listen_host, port=listen_port, debug=True, use_reloader=False)
        else:
            from gateway._serving import serve as serve_with_waitress

            ingest = gateway_of(app).ingest
            _guarded(
                lambda: serve_with_waitress(
                    app,
                    config,
                    listen_host,
                    listen_port,
                    on_reject=lambda status: ingest.count(f"rejected_{status}"),
                    on_listening=announce,
                )
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


@contextlib.contextmanager
def _started_host(config: GatewayConfig) -> Iterator[PluginHost]:
    """The enabled plugins, configured and started, shut down on leaving."""
    host = PluginHost.from_config(config)
    host.configure(config)
    host.startup(config)
    try:
        yield host
    finally:
        host.shutdown()


def _with_storage(config: GatewayConfig, hook: str, **kwargs: Any) -> Any:
    with _started_host(config) as host:
        answer = host.call_first(hook, **kwargs)
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
    found = _guarded(
        lambda: _with_storage(config, "gateway_query_deliveries", query=query)
    )
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
    if ids is not None and count < len(ids):
        raise click.ClickException(
            f"{len(ids) - count} of the ids named are not dead deliveries "
            "(see: gateway deliveries list --state dead)"
        )


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
        too_short = age.total_seconds() < 3600
    except (ValueError, OverflowError):
        age, too_short = None, True
    if age is None or too_short or age.days > 365 * 100:
        # A typo such as -90d or 0d would otherwise delete every alarm.
        raise click.BadParameter(
            "a duration of at least 1h and at most 100 years, such as 30d, 12h or 90m",
            param_hint="--older-than",
        )

    config = _load(config_path)

    def run() -> int:
        with _started_host(config) as host:
            return prune(host, age)

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
    added_commands = _commands_by_plugin(host)

    click.echo(f"entry-point group: alarmhugger.plugins ({len(installed)} installed)")
    for name, plugin in sorted(installed.items()):
        state = "enabled" if name in host.enabled else "disabled"
        click.echo(f"  {name:<14} {state:<9} {plugin.distribution} {plugin.version}")
        if name in host.enabled:
            click.echo(f"      hooks: {', '.join(host.hooks_of(name))}")
            versions = supported_api_versions(host.manager.get_plugin(name))
            if versions is not None:
                click.echo(f"      hook API: {', '.join(str(v) for v in versions)}")
            commands = added_commands.get(name)
            if commands:
                click.echo(f"      commands: {', '.join(commands)}")


def _commands_by_plugin(host: PluginHost) -> dict[str, list[str]]:
    # Each plugin registers into a group of its own, so its commands can be
    # told apart; a plugin failing here shows no commands, nothing more.
    found: dict[str, list[str]] = {}
    for impl in host.implementations("gateway_register_commands"):
        collector = click.Group(impl.plugin)
        try:
            host.call_impl(impl, "gateway_register_commands", {"cli": collector})
        except Exception:
            logger.opt(exception=True).warning(
                "plugin {} failed in gateway_register_commands", impl.plugin
            )
            continue
        found.setdefault(impl.plugin, []).extend(sorted(collector.commands))
    return found


@main.command("check-config")
@config_option
def check_config(config_path: Path | None) -> None:
    """Check gateway.ini and every enabled plugin's settings without serving."""
    config = _load(config_path)
    installed = find_installed_plugins()

    def build() -> None:
        # The same checks serve makes, without connecting or starting threads.
        from gateway.app import create_app
        from gateway.app import gateway_of

        gateway_of(create_app(config, start=False)).close()

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


@main.command("new-plugin")
@click.argument("name")
@click.option(
    "--kind",
    type=click.Choice(["parser", "notifier", "screen", "storage"]),
    default="parser",
    show_default=True,
    help="What the plugin does; decides the hooks the skeleton implements.",
)
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    help="Folder to create the package in (default: the current one).",
)
def new_plugin(name: str, kind: str, folder: Path) -> None:
    """Write a ready plugin package: setup.py, module, README and a test."""
    from gateway._scaffold import PluginNames
    from gateway._scaffold import check_name
    from gateway._scaffold import write_plugin
    from gateway.default_plugins import DEFAULT_PLUGINS

    problem = check_name(name)
    if problem:
        raise click.BadParameter(problem, param_hint="NAME")
    installed = find_installed_plugins().get(name)
    if name in DEFAULT_PLUGINS or installed is not None:
        owner = installed.distribution if installed else "the core"
        raise click.BadParameter(
            f"a plugin named {name!r} already exists ({owner}); choose another name",
            param_hint="NAME",
        )

    try:
        root = write_plugin(folder, name, kind)
    except FileExistsError:
        target = folder / PluginNames(name, kind).distribution
        raise click.ClickException(
            f"{target} already exists; nothing written"
        ) from None

    click.echo(f"created {root} ({kind} plugin {name!r})")
    click.echo("next:")
    click.echo(f"  pip install -e {root}")
    click.echo(
        f"  add {name} to [gateway] plugins in gateway.ini; gateway check-config"
    )
    click.echo(f"  gateway plugins            # {name} is listed, with its hooks")
    click.echo(f"  python -m pytest {root / 'tests'}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
