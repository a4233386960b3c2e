"""Finding, enabling and calling plugins.

Plugins are found through one entry-point group, and only those listed in
``[gateway] plugins`` are registered, in that order: the first listed is
asked first. The core's own default plugins (the raw fallback parser) are
registered the same way, so the pipeline has one path.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.metadata import EntryPoint
from importlib.metadata import entry_points
from typing import Any
from typing import Callable
from typing import Iterator
from typing import Mapping

import pluggy
from loguru import logger

from gateway import hookspecs
from gateway.config import GatewayConfig
from gateway.default_plugins import DEFAULT_PLUGINS
from gateway.errors import ConfigError
from gateway.errors import PluginError

ENTRY_POINT_GROUP = "alarmhugger.plugins"
TRACE_VARIABLE = "GATEWAY_TRACE_HOOKS"


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
        :raises PluginError: when an enabled plugin is not installed or
            cannot be loaded.
        """
        host = cls()
        installed = {entry.name: entry for entry in _entry_points()}
        extra = dict(extra or {})
        enabled = config.enabled_plugins

        missing = [name for name in enabled if name not in installed and name not in extra]
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
            else:
                entry = installed[name]
                target = _load(name, entry)
                host.versions[name] = entry.dist.version if entry.dist else "?"
            plugin = target() if isinstance(target, type) else target
            host.manager.register(plugin, name=name)

        host.enabled = list(enabled)
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

    def configure(self, config: GatewayConfig) -> None:
        """Let each plugin read and check its own settings."""
        for impl in self.implementations("gateway_configure"):
            try:
                impl.function(config)
            except ConfigError:
                raise
            except Exception as error:
                raise PluginError(
                    f"plugin {impl.plugin!r} failed in gateway_configure: {error}"
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
            resolved = [
                Implementation(impl.plugin_name, impl.function, tuple(impl.argnames))
                for impl in reversed(caller.get_hookimpls())
                if not impl.hookwrapper and not impl.wrapper
            ]
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

    def call_impl(self, impl: Implementation, hook_name: str, kwargs: dict[str, Any]) -> Any:
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
        return sorted(caller.name for caller in callers)


class PluginCallError(Exception):
    """A plugin raised inside a hook; carries the plugin's and hook's names."""

    def __init__(self, plugin: str, hook: str, error: Exception) -> None:
        self.plugin = plugin
        self.hook = hook
        self.error = error
        super().__init__(f"plugin {plugin!r} failed in {hook}: {error!r}")


def _load(name: str, entry: EntryPoint) -> object:
    try:
        return entry.load()
    except Exception as error:
        raise PluginError(
            f"plugin {name!r} ({entry.value}) could not be imported: {error}"
        ) from error
