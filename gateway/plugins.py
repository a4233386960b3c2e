"""Finding, enabling and calling plugins.

Plugins are found through one entry-point group, and only those listed in
``[gateway] plugins`` are registered, in that order: the first listed is
asked first (``[gateway] order.<hook>`` reorders named plugins for one
hook). The core's own default plugins (the raw fallback parser) are
registered the same way, so the pipeline has one path.

Before a plugin is registered, the hook API versions it states are checked
against :data:`~gateway.hookspecs.HOOK_API_VERSION`; before it is
configured, its settings schema (if it declares one) loads its section.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.metadata import EntryPoint
from importlib.metadata import entry_points
from typing import TYPE_CHECKING
from typing import Any
from typing import Callable
from typing import Iterable
from typing import Iterator
from typing import Mapping

import pluggy
from loguru import logger

from gateway import hookspecs
from gateway._settings import as_schema
from gateway._settings import load_settings
from gateway.config import GatewayConfig
from gateway.default_plugins import DEFAULT_PLUGINS
from gateway.errors import ConfigError
from gateway.errors import PluginError

if TYPE_CHECKING:
    import click
    from flask import Flask

ENTRY_POINT_GROUP = "alarmhugger.plugins"
TRACE_VARIABLE = "GATEWAY_TRACE_HOOKS"

# The attribute (of a plugin module, class or object) naming the hook API
# versions the plugin was written for.
API_VERSIONS_ATTRIBUTE = "hook_api_versions"

# ``[gateway] order.<hook> = a, b`` reorders plugins for one hook.
ORDER_PREFIX = "order."


@dataclass(frozen=True)
class InstalledPlugin:
    """A plugin some installed distribution offers under our entry-point group."""

    name: str
    target: str
    distribution: str
    version: str


def find_installed_plugins() -> dict[str, InstalledPlugin]:
    """Return every plugin installed under :data:`ENTRY_POINT_GROUP`, by name."""
    return {
        entry.name: InstalledPlugin(
            name=entry.name,
            target=entry.value,
            distribution=entry.dist.name if entry.dist else "?",
            version=entry.dist.version if entry.dist else "?",
        )
        for entry in _entry_points()
    }


def _entry_points() -> list[EntryPoint]:
    return list(entry_points(group=ENTRY_POINT_GROUP))


@dataclass(frozen=True)
class Implementation:
    """One plugin's implementation of a hook, ready to call."""

    plugin: str
    function: Callable[..., Any]
    argnames: tuple[str, ...]


class PluginHost:
    """The gateway's plugin manager: registration, configuration and calls.

    Hook implementations are resolved once, when first called, into the
    order pluggy would use; calls then go straight to the functions, so a
    failing plugin can be named and the hot path does no lookup work.
    """

    def __init__(self) -> None:
        self.manager = pluggy.PluginManager(hookspecs.PROJECT)
        self.manager.add_hookspecs(hookspecs)
        self.enabled: list[str] = []
        self.versions: dict[str, str] = {}
        self.settings: dict[str, dict[str, Any]] = {}
        self.order: dict[str, list[str]] = {}
        self._resolved: dict[str, list[Implementation]] = {}
        self._is_tracing = os.environ.get(TRACE_VARIABLE, "") not in {"", "0"}

    @classmethod
    def from_config(
        cls,
        config: GatewayConfig,
        extra: Mapping[str, object] | None = None,
    ) -> PluginHost:
        """Register the default plugins and every plugin enabled in ``config``.

        :param extra: plugin objects by name that win over installed ones
            (tests register temporary plugins this way).
        :raises PluginError: when an enabled plugin is not installed, cannot
            be loaded, or supports no hook API version this core provides.
        :raises ConfigError: when a ``[gateway] order.<hook>`` setting names
            an unknown hook or a plugin that does not implement it.
        """
        host = cls()
        installed = {entry.name: entry for entry in _entry_points()}
        extra = dict(extra or {})
        enabled = config.enabled_plugins

        repeated = sorted({name for name in enabled if enabled.count(name) > 1})
        if repeated:
            raise PluginError(
                f"plugin {repeated[0]!r} is listed twice in [gateway] plugins; list it once"
            )

        missing = [
            name for name in enabled if name not in installed and name not in extra
        ]
        if missing:
            found = ", ".join(sorted(installed)) or "none"
            raise PluginError(
                f"plugin {missing[0]!r} is enabled in [gateway] plugins but no "
                f"installed distribution provides it under entry-point group "
                f"{ENTRY_POINT_GROUP!r}; installed plugins: {found}"
            )

        for name, plugin in DEFAULT_PLUGINS.items():
            host.manager.register(plugin, name=name)

        # pluggy calls the last registered first: register in reverse so
        # the first plugin listed in gateway.ini is asked first.
        for name in reversed(enabled):
            if name in extra:
                target = extra[name]
                host.versions[name] = "test"
                distribution = "test plugin"
            else:
                entry = installed[name]
                target = _load(name, entry)
                host.versions[name] = entry.dist.version if entry.dist else "?"
                distribution = entry.dist.name if entry.dist else entry.value
            check_api_versions(name, f"{distribution} {host.versions[name]}", target)
            plugin = target() if isinstance(target, type) else target
            host.manager.register(plugin, name=name)

        host.enabled = list(enabled)
        host._set_order(config)
        host._log_loaded()
        host._warn_about_loose_sections(config)
        host._warn_without_parser()
        return host

    def _log_loaded(self) -> None:
        logger.info(
            "plugins loaded: {}",
            ", ".join(f"{name} {self.versions[name]}" for name in self.enabled),
        )
        order = []
        for caller in self.manager.hook.__dict__.values():
            plugins = [impl.plugin for impl in self.implementations(caller.name)]
            if plugins:
                order.append(f"{caller.name}: {' > '.join(plugins)}")
        logger.info("hook order: {}", "; ".join(sorted(order)))

    def _warn_about_loose_sections(self, config: GatewayConfig) -> None:
        for section in config.sections:
            if not section.startswith("plugin:"):
                continue
            name = section.split(":", 1)[1]
            if name not in self.enabled:
                logger.warning(
                    "[{}] is set but plugin {!r} is not enabled in [gateway] "
                    "plugins; its settings are ignored",
                    section,
                    name,
                )

    def _warn_without_parser(self) -> None:
        parsers = self.implementations("gateway_parse_alarm")
        if all(impl.plugin in DEFAULT_PLUGINS for impl in parsers):
            logger.warning(
                "no parser plugin is enabled: every body is stored raw "
                "(add tradingview to [gateway] plugins)"
            )

    def _set_order(self, config: GatewayConfig) -> None:
        order: dict[str, list[str]] = {}
        for key, value in config.section("gateway").items():
            if not key.startswith(ORDER_PREFIX):
                continue
            hook = key[len(ORDER_PREFIX) :]
            caller = getattr(self.manager.hook, hook, None)
            if caller is None or caller.spec is None:
                raise ConfigError(
                    "gateway",
                    key,
                    value,
                    f"order.<hook> with the name of a hook, e.g. "
                    f"order.gateway_parse_alarm (there is no hook {hook!r})",
                )
            names = config.get_list("gateway", key)
            implementers = {impl.plugin_name for impl in caller.get_hookimpls()}
            strangers = [name for name in names if name not in implementers]
            if strangers or not names:
                found = ", ".join(sorted(implementers)) or "none"
                raise ConfigError(
                    "gateway",
                    key,
                    value,
                    f"names of enabled plugins implementing {hook} ({found})",
                )
            order[hook] = names
        self.order = order
        self._resolved.clear()

    def configure(self, config: GatewayConfig) -> None:
        """Check each plugin's settings against its schema, then configure it.

        Every enabled plugin's section is loaded first, so a bad setting of
        any plugin stops the start before a single plugin was configured.

        :raises ConfigError: naming the section, key and value at fault.
        :raises PluginError: when a plugin fails in either hook.
        """
        self.settings = {
            name: load_plugin_settings(self.manager, name, config)
            for name in self.enabled
        }
        for impl in self.implementations("gateway_configure"):
            arguments = {
                "config": config,
                "settings": self.settings.get(impl.plugin, {}),
            }
            try:
                impl.function(*[arguments[name] for name in impl.argnames])
            except ConfigError:
                raise
            except Exception as error:
                raise PluginError(
                    f"plugin {impl.plugin!r} failed in gateway_configure: {error}"
                ) from error

    def register_routes(self, app: Flask) -> None:
        """Let each plugin add its routes to ``app``; log what each added."""
        for impl in self.implementations("gateway_register_routes"):
            before = {rule.rule for rule in app.url_map.iter_rules()}
            try:
                impl.function(*[{"app": app}[name] for name in impl.argnames])
            except Exception as error:
                raise PluginError(
                    f"plugin {impl.plugin!r} failed in gateway_register_routes: {error}"
                ) from error
            added = sorted({rule.rule for rule in app.url_map.iter_rules()} - before)
            logger.info(
                "routes added by plugin {}: {}", impl.plugin, ", ".join(added) or "none"
            )

    def register_commands(self, cli: click.Group) -> None:
        """Let each plugin add its commands to ``cli``.

        :raises PluginError: naming the plugin that failed.
        """
        for impl in self.implementations("gateway_register_commands"):
            try:
                impl.function(*[{"cli": cli}[name] for name in impl.argnames])
            except Exception as error:
                raise PluginError(
                    f"plugin {impl.plugin!r} failed in gateway_register_commands: {error}"
                ) from error

    def startup(self, config: GatewayConfig) -> None:
        """Let each plugin open its connections and threads."""
        for impl in self.implementations("gateway_startup"):
            try:
                impl.function(config)
            except Exception as error:
                raise PluginError(
                    f"plugin {impl.plugin!r} failed in gateway_startup: {error}"
                ) from error

    def shutdown(self) -> None:
        """Let each plugin release what it holds; errors are only logged."""
        for impl in self.implementations("gateway_shutdown"):
            try:
                impl.function()
            except Exception:
                logger.opt(exception=True).error(
                    "plugin {} failed in gateway_shutdown", impl.plugin
                )

    def implementations(self, hook_name: str) -> list[Implementation]:
        """Return a hook's implementations in the order they are called."""
        resolved = self._resolved.get(hook_name)
        if resolved is None:
            caller = getattr(self.manager.hook, hook_name)
            ordered = [
                impl
                for impl in reversed(caller.get_hookimpls())
                if not impl.hookwrapper and not impl.wrapper
            ]
            # The core's default plugins (the raw parser) answer after every
            # installed plugin of their band, even a trylast one.
            ordered.sort(
                key=lambda impl: (_band(impl), impl.plugin_name in DEFAULT_PLUGINS)
            )
            resolved = [
                Implementation(impl.plugin_name, impl.function, tuple(impl.argnames))
                for impl in ordered
            ]
            if hook_name in self.order:
                resolved = reorder(resolved, self.order[hook_name])
            self._resolved[hook_name] = resolved
        return resolved

    def call_first(self, hook_name: str, **kwargs: Any) -> tuple[str, Any] | None:
        """Call implementations until one returns something other than ``None``.

        Exceptions propagate, wrapped so they carry the plugin's name in
        :attr:`PluginCallError.plugin`.

        :returns: ``(plugin_name, result)`` or ``None`` when nobody answered.
        """
        for impl in self.implementations(hook_name):
            result = self.call_impl(impl, hook_name, kwargs)
            if result is not None:
                return impl.plugin, result
        return None

    def call_all(self, hook_name: str, **kwargs: Any) -> Iterator[tuple[str, Any]]:
        """Call every implementation, yielding ``(plugin_name, result)``.

        Exceptions propagate as :class:`PluginCallError`; the caller decides
        whether to go on with the next implementation.
        """
        for impl in self.implementations(hook_name):
            yield impl.plugin, self.call_impl(impl, hook_name, kwargs)

    def call_impl(
        self, impl: Implementation, hook_name: str, kwargs: dict[str, Any]
    ) -> Any:
        arguments = [kwargs[name] for name in impl.argnames]
        try:
            result = impl.function(*arguments)
        except Exception as error:
            raise PluginCallError(impl.plugin, hook_name, error) from error

        if self._is_tracing:
            logger.debug("hook {} by {} -> {!r}", hook_name, impl.plugin, result)
        return result

    def hooks_of(self, plugin_name: str) -> list[str]:
        """Return the names of the hooks one registered plugin implements."""
        plugin = self.manager.get_plugin(plugin_name)
        callers = self.manager.get_hookcallers(plugin) or []
        return sorted({caller.name for caller in callers})

    def require_storage(self) -> None:
        """Refuse to run without a plugin that stores alarms.

        :raises PluginError: naming the hook and the usual plugin.
        """
        storing = [
            impl.plugin
            for impl in self.implementations("gateway_store_alarm")
            if impl.plugin not in DEFAULT_PLUGINS
        ]
        if not storing:
            raise PluginError(
                "no enabled plugin stores alarms (gateway_store_alarm): every "
                "alert would wait in the spool; add sql to [gateway] plugins"
            )


class PluginCallError(PluginError):
    """A plugin raised inside a hook; carries the plugin's and hook's names."""

    def __init__(self, plugin: str, hook: str, error: Exception) -> None:
        self.plugin = plugin
        self.hook = hook
        self.error = error
        super().__init__(f"plugin {plugin!r} failed in {hook}: {error!r}")


def _band(impl: pluggy.HookImpl) -> int:
    return 0 if impl.tryfirst else 2 if impl.trylast else 1


def reorder(
    implementations: list[Implementation], names: list[str]
) -> list[Implementation]:
    """Reorder the implementations of the plugins ``names`` among themselves.

    They keep the places they held and take them in the order of ``names``;
    every other implementation stays where it was (so the raw parser, say,
    stays last unless it is named).
    """
    rank = {name: position for position, name in enumerate(names)}
    places = [i for i, impl in enumerate(implementations) if impl.plugin in rank]
    moving = sorted(
        (implementations[i] for i in places), key=lambda impl: rank[impl.plugin]
    )
    result = list(implementations)
    for place, impl in zip(places, moving):
        result[place] = impl
    return result


def supported_api_versions(target: object) -> tuple[int, ...] | None:
    """Return the hook API versions a plugin states, or ``None`` when silent.

    The plugin's ``hook_api_versions`` may be a whole number, a tuple (or
    list, set) of them, or a ``range``.

    :raises ValueError: when the attribute is anything else.
    """
    stated = getattr(target, API_VERSIONS_ATTRIBUTE, None)
    if stated is None:
        return None
    if isinstance(stated, bool):
        raise ValueError(stated)
    if isinstance(stated, int):
        return (stated,)
    if isinstance(stated, (range, tuple, list, set, frozenset)):
        versions = tuple(sorted(stated))
        if versions and all(
            isinstance(v, int) and not isinstance(v, bool) for v in versions
        ):
            return versions
    raise ValueError(stated)


def check_api_versions(name: str, distribution: str, target: object) -> None:
    """Refuse a plugin that states hook API versions this core does not provide.

    A plugin that states nothing is accepted.

    :param distribution: the distribution and version, for the message.
    :raises PluginError: naming the plugin, its versions and the core's.
    """
    from gateway import __version__

    try:
        versions = supported_api_versions(target)
    except ValueError:
        stated = getattr(target, API_VERSIONS_ATTRIBUTE)
        raise PluginError(
            f"plugin {name!r} ({distribution}) states {API_VERSIONS_ATTRIBUTE} = "
            f"{stated!r}; expected a whole number, a tuple of them or a range, "
            f"e.g. {API_VERSIONS_ATTRIBUTE} = ({hookspecs.HOOK_API_VERSION},)"
        ) from None
    if versions is None or hookspecs.HOOK_API_VERSION in versions:
        return

    raise PluginError(
        f"plugin {name!r} ({distribution}) supports hook API "
        f"{_describe_versions(versions)}, but this gateway (alarmhugger "
        f"{__version__}) provides hook API version {hookspecs.HOOK_API_VERSION}: "
        f"install a release of the plugin made for hook API "
        f"{hookspecs.HOOK_API_VERSION}, or remove {name!r} from [gateway] plugins"
    )


def _describe_versions(versions: Iterable[int]) -> str:
    listed = sorted(versions)
    if len(listed) > 3 and listed == list(range(listed[0], listed[-1] + 1)):
        return f"versions {listed[0]} to {listed[-1]}"
    word = "version" if len(listed) == 1 else "versions"
    return f"{word} {', '.join(str(v) for v in listed)}"


def load_plugin_settings(
    manager: pluggy.PluginManager, name: str, config: GatewayConfig
) -> dict[str, Any]:
    """Return one plugin's ``[plugin:NAME]`` section as ``gateway_configure`` gets it.

    Loaded with the schema the plugin returns from
    ``gateway_settings_schema`` when it declares one; otherwise the raw
    strings as written.

    :raises ConfigError: when the section does not fit the schema.
    :raises PluginError: when the plugin fails to declare its schema.
    """
    section = f"plugin:{name}"
    values = config.plugin_settings(name)
    declared = None
    for impl in manager.hook.gateway_settings_schema.get_hookimpls():
        if impl.plugin_name != name:
            continue
        try:
            declared = impl.function()
        except Exception as error:
            raise PluginError(
                f"plugin {name!r} failed in gateway_settings_schema: {error}"
            ) from error
        if declared is not None:
            break

    if declared is None:
        return values
    return load_settings(section, as_schema(declared, name), values)


def _load(name: str, entry: EntryPoint) -> object:
    try:
        return entry.load()
    except Exception as error:
        raise PluginError(
            f"plugin {name!r} ({entry.value}) could not be imported: {error}"
        ) from error
