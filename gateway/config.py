"""Reading ``gateway.ini``, the environment and ``.env`` into one checked config.

Order of precedence, lowest first: built-in defaults, ``gateway.ini``, the
original service's environment names (``DATABASE_URL``...), then
``GATEWAY__<SECTION>__<KEY>`` variables, then the mapping handed to
:func:`load_config` (tests use it). A ``.env`` file beside ``gateway.ini``
fills the environment without overriding what is already set.
"""

from __future__ import annotations

import configparser
import difflib
import ipaddress
import os
import re
from pathlib import Path
from typing import Mapping

from dotenv import dotenv_values

from gateway._logging import MASK
from gateway._logging import register_secret
from gateway.errors import ConfigError

DEFAULT_PLUGINS = "tradingview, sql"

DEFAULTS: dict[str, dict[str, str]] = {
    "gateway": {
        "plugins": DEFAULT_PLUGINS,
        "host": "127.0.0.1",
        "port": "8080",
        "threads": "8",
        "max_body_bytes": "65536",
        "connection_limit": "1000",
        "idle_timeout": "30",
        "trusted_proxies": "",
        "data_dir": "data",
    },
    "logging": {
        "level": "INFO",
        "console": "true",
        "file": "logs/gateway.log",
        "rotation": "10 MB",
        "retention": "14 days",
        "format": "text",
    },
}

# The keys of the core's own sections; anything else is a typo.
CORE_KEYS: dict[str, frozenset[str]] = {
    "gateway": frozenset(
        {
            "plugins",
            "host",
            "port",
            "threads",
            "max_body_bytes",
            "connection_limit",
            "idle_timeout",
            "trusted_proxies",
            "forwarded_header",
            "data_dir",
            "spool",
            "retention",
        }
    ),
    "logging": frozenset(
        {"level", "console", "file", "rotation", "retention", "format"}
    ),
    "api": frozenset({"keys"}),
    "delivery": frozenset(
        {
            "enabled",
            "max_attempts",
            "retry_base",
            "retry_max",
            "poll_interval",
            "lease",
            "batch_size",
        }
    ),
    "dedup": frozenset({"enabled", "id_fields", "id_window", "hash_window"}),
}
CORE_KEY_PREFIXES = ("order.",)

# The original service's variables and where they land.
LEGACY_ENVIRONMENT: dict[str, tuple[str, str]] = {
    "DATABASE_URL": ("plugin:sql", "url"),
    "ALLOWED_IPS": ("plugin:ipfilter", "allow_extra"),
    "APIKEY": ("api", "keys"),
    "SECRETKEY": ("plugin:token", "secret"),
    "APIURL": ("plugin:webhook", "url"),
}

_SECRET_KEY_NAMES = re.compile(
    r"(secret|token|password|passphrase|api_?key|keys)", re.I
)
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_ENV_OVERRIDE = re.compile(r"^GATEWAY__([A-Z0-9_]+?)__([A-Z0-9_]+)$")


class GatewayConfig:
    """The gateway's settings after defaults, file, environment and overrides.

    Values are strings as written; the typed getters check them and raise
    :class:`~gateway.errors.ConfigError` naming section, key and value.
    """

    def __init__(
        self,
        sections: Mapping[str, Mapping[str, str]],
        path: Path | None = None,
    ) -> None:
        self.sections = {name: dict(values) for name, values in sections.items()}
        self.path = path
        self.base_dir = path.parent if path else Path.cwd()

    def section(self, name: str) -> dict[str, str]:
        """Return a copy of one section (empty when absent)."""
        return dict(self.sections.get(name, {}))

    def plugin_settings(self, name: str) -> dict[str, str]:
        """Return the ``[plugin:NAME]`` section of one plugin."""
        return self.section(f"plugin:{name}")

    def get(self, section: str, key: str, default: str | None = None) -> str | None:
        """Return one raw value, stripped, or ``default`` when unset or blank."""
        value = self.sections.get(section, {}).get(key)
        if value is None or not value.strip():
            return default
        return value.strip()

    def get_int(
        self,
        section: str,
        key: str,
        default: int,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int:
        """Return a whole number within ``minimum``..``maximum``."""
        raw = self.get(section, key)
        if raw is None:
            return default

        expected = "a whole number"
        if minimum is not None and maximum is not None:
            expected = f"a whole number from {minimum} to {maximum}"
        elif minimum is not None:
            expected = f"a whole number of at least {minimum}"

        try:
            number = int(raw.replace("_", ""))
        except ValueError:
            raise ConfigError(section, key, raw, expected) from None
        if minimum is not None and number < minimum:
            raise ConfigError(section, key, raw, expected)
        if maximum is not None and number > maximum:
            raise ConfigError(section, key, raw, expected)
        return number

    def get_seconds(
        self,
        section: str,
        key: str,
        default: float,
        minimum: float = 0.0,
        maximum: float = 3600.0,
    ) -> float:
        """Return a duration in seconds (fractions allowed) within the bounds."""
        raw = self.get(section, key)
        if raw is None:
            return default

        expected = f"a number of seconds from {minimum:g} to {maximum:g}"
        try:
            seconds = float(raw)
        except ValueError:
            raise ConfigError(section, key, raw, expected) from None
        if not minimum <= seconds <= maximum:
            raise ConfigError(section, key, raw, expected)
        return seconds

    def get_bool(self, section: str, key: str, default: bool) -> bool:
        """Return a yes/no setting (true/false, yes/no, on/off, 1/0)."""
        raw = self.get(section, key)
        if raw is None:
            return default

        lowered = raw.lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(section, key, raw, "true or false")

    def get_list(self, section: str, key: str, default: str = "") -> list[str]:
        """Return a comma- or newline-separated list, entries trimmed."""
        raw = self.get(section, key, default) or ""
        return [item.strip() for item in re.split(r"[,\n]", raw) if item.strip()]

    def get_path(self, section: str, key: str, default: str) -> Path:
        """Return a path; relative ones are taken from the config's folder."""
        path = Path(self.get(section, key, default) or default).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    def get_file(self, section: str, key: str, expected: str) -> Path | None:
        """Return the path of an existing file, or ``None`` when the key is unset.

        Relative paths are taken from the config's folder, as by
        :meth:`get_path`.

        :param expected: what the file should be, for the error message,
            e.g. ``a PEM file of certificate authorities``.
        :raises ConfigError: when no file is at that path.
        """
        if self.get(section, key) is None:
            return None

        path = self.get_path(section, key, "")
        if not path.is_file():
            raise ConfigError(section, key, str(path), expected)
        return path

    @property
    def enabled_plugins(self) -> list[str]:
        """The plugin names listed in ``[gateway] plugins``, in order."""
        return self.get_list("gateway", "plugins")

    @property
    def threads(self) -> int:
        """How many request threads waitress runs."""
        return self.get_int("gateway", "threads", 8, minimum=1, maximum=256)

    @property
    def max_body_bytes(self) -> int:
        """The largest webhook body accepted, in bytes."""
        return self.get_int(
            "gateway", "max_body_bytes", 65536, minimum=1024, maximum=16 * 2**20
        )

    @property
    def data_dir(self) -> Path:
        """The folder for the embedded database and the spool."""
        return self.get_path("gateway", "data_dir", "data")

    @property
    def trusted_proxies(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        """Networks whose forwarding headers are believed."""
        return [
            parse_network("gateway", "trusted_proxies", entry)
            for entry in self.get_list("gateway", "trusted_proxies")
        ]

    @property
    def forwarded_header(self) -> str:
        """The one forwarding header trusted proxies set (the other is ignored)."""
        header = (
            self.get("gateway", "forwarded_header", "x-forwarded-for") or ""
        ).lower()
        if header not in {"x-forwarded-for", "forwarded"}:
            raise ConfigError(
                "gateway", "forwarded_header", header, "x-forwarded-for or forwarded"
            )
        return header

    def validate(self) -> None:
        """Check the core's own settings; plugins check theirs when configured."""
        self.get_int("gateway", "port", 8080, minimum=1, maximum=65535)
        self.get_int("gateway", "connection_limit", 1000, minimum=10, maximum=100000)
        self.get_int("gateway", "idle_timeout", 30, minimum=1, maximum=3600)
        _ = (
            self.threads,
            self.max_body_bytes,
            self.trusted_proxies,
            self.forwarded_header,
        )

        if not self.enabled_plugins:
            raise ConfigError(
                "gateway",
                "plugins",
                self.get("gateway", "plugins", ""),
                f"a comma-separated list of plugin names, e.g. {DEFAULT_PLUGINS}",
            )

        level = (self.get("logging", "level", "INFO") or "INFO").upper()
        if level not in {"TRACE", "DEBUG", "INFO", "SUCCESS", "WARNING", "ERROR"}:
            raise ConfigError(
                "logging", "level", level, "one of DEBUG, INFO, WARNING, ERROR"
            )

        log_format = self.get("logging", "format", "text")
        if log_format not in {"text", "json"}:
            raise ConfigError("logging", "format", log_format, "text or json")
        self.get_bool("logging", "console", True)

        for key in self.get_list("api", "keys"):
            if len(key) < 8:
                raise ConfigError(
                    "api", "keys", MASK, "API keys of 8 characters or more"
                )
        self._refuse_unknown_keys()

    def _refuse_unknown_keys(self) -> None:
        # A misspelt key (keys -> key) must not silently leave the API open.
        for section, known in CORE_KEYS.items():
            for key in self.sections.get(section, {}):
                if key in known or any(
                    key.startswith(prefix) for prefix in CORE_KEY_PREFIXES
                ):
                    continue
                close = difflib.get_close_matches(key, sorted(known), n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                raise ConfigError(
                    section,
                    key,
                    MASK,
                    f"one of the keys of [{section}]{hint}: {', '.join(sorted(known))}",
                )


def parse_network(
    section: str, key: str, entry: str
) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """Parse an address or CIDR range, refusing wildcards and bad prefixes."""
    if "*" in entry:
        hint = _wildcard_hint(entry)
        raise ConfigError(
            section, key, entry, f"an address or a CIDR range such as {hint}"
        )

    try:
        return ipaddress.ip_network(entry, strict=False)
    except ValueError:
        raise ConfigError(
            section,
            key,
            entry,
            "an IPv4/IPv6 address or a CIDR range such as 10.8.0.0/16",
        ) from None


def _wildcard_hint(entry: str) -> str:
    octets = entry.split(".")
    fixed = [octet for octet in octets if octet != "*"]
    prefix = 8 * len(fixed)
    padded = fixed + ["0"] * (4 - len(fixed))
    return f"{'.'.join(padded)}/{prefix}"


def resolve_config_path(path: str | os.PathLike[str] | None) -> Path | None:
    """Find ``gateway.ini``: the given path, ``GATEWAY_CONFIG``, or ./gateway.ini."""
    if path is not None:
        return Path(path)

    from_environment = os.environ.get("GATEWAY_CONFIG")
    if from_environment:
        return Path(from_environment)

    local = Path("gateway.ini")
    return local if local.exists() else None


def load_config(
    path: str | os.PathLike[str] | None = None,
    overrides: Mapping[str, Mapping[str, str]] | None = None,
    environ: Mapping[str, str] | None = None,
) -> GatewayConfig:
    """Build and validate the configuration.

    :param path: ``gateway.ini`` to read; by default ``GATEWAY_CONFIG`` or
        ``./gateway.ini`` when it exists, otherwise built-in defaults.
    :param overrides: sections and keys that win over everything else.
    :param environ: the environment to read (default: ``os.environ``).
    :raises ConfigError: naming the section, key and value at fault.
    """
    config_path = resolve_config_path(path)
    environment = _environment_with_dotenv(config_path, environ)

    sections = {name: dict(values) for name, values in DEFAULTS.items()}
    if config_path is not None:
        _merge(sections, _read_ini(config_path, environment))
    _merge(sections, _legacy_overrides(environment))
    _merge(sections, _prefixed_overrides(environment))
    if overrides:
        _merge(sections, overrides)

    _register_secrets(sections)
    config = GatewayConfig(sections, config_path)
    config.validate()
    return config


def _environment_with_dotenv(
    config_path: Path | None, environ: Mapping[str, str] | None
) -> dict[str, str]:
    environment = dict(os.environ if environ is None else environ)
    folder = config_path.parent if config_path else Path.cwd()
    dotenv_file = folder / ".env"
    if dotenv_file.is_file():
        for name, value in dotenv_values(dotenv_file).items():
            if value is not None:
                environment.setdefault(name, value)
    return environment


def _read_ini(path: Path, environment: Mapping[str, str]) -> dict[str, dict[str, str]]:
    if not path.is_file():
        raise ConfigError("gateway", "config file", str(path), "an existing file")

    # No inline comments: "#" and ";" are ordinary characters in templates.
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error as error:
        raise ConfigError(
            "gateway", "config file", str(path), f"valid INI syntax ({error})"
        ) from error

    return {
        section: {
            key: _expand(section, key, value, environment)
            for key, value in parser.items(section)
        }
        for section in parser.sections()
    }


def _expand(section: str, key: str, value: str, environment: Mapping[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in environment:
            return environment[name]
        if default is not None:
            return default
        raise ConfigError(
            section,
            key,
            value,
            f"the environment variable {name} to be set (or ${{{name}:-default}})",
        )

    return _VARIABLE.sub(substitute, value)


def _legacy_overrides(environment: Mapping[str, str]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for variable, (section, key) in LEGACY_ENVIRONMENT.items():
        value = environment.get(variable)
        if value:
            found.setdefault(section, {})[key] = value
    return found


def _prefixed_overrides(environment: Mapping[str, str]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for variable, value in environment.items():
        match = _ENV_OVERRIDE.match(variable)
        if not match:
            continue
        section = match.group(1).lower()
        if section.startswith("plugin_"):
            section = "plugin:" + section[len("plugin_") :]
        found.setdefault(section, {})[match.group(2).lower()] = value
    return found


def _merge(
    target: dict[str, dict[str, str]], source: Mapping[str, Mapping[str, str]]
) -> None:
    for section, values in source.items():
        target.setdefault(section, {}).update(values)


def _register_secrets(sections: Mapping[str, Mapping[str, str]]) -> None:
    for values in sections.values():
        for key, value in values.items():
            if not value:
                continue
            if _SECRET_KEY_NAMES.search(key):
                for part in re.split(r"[,\s]+", value):
                    register_secret(part)
            register_secret_in_url(value)


def register_secret_in_url(value: str) -> None:
    """Register the password of a URL such as ``postgresql://u:pw@host/db``."""
    match = re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/@:]*:([^/@]+)@", value.strip())
    if match:
        register_secret(match.group(1))
