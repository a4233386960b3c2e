"""What a notifier plugin builds on: the notifier base, results, filters, templates.

A notifier plugin returns :class:`Notifier` objects from
``gateway_register_notifiers``. When an alarm is stored, the core writes one
pending delivery for every notifier whose :meth:`Notifier.accepts` says yes;
the delivery dispatcher later calls :meth:`Notifier.send` (never in the
request thread) and retries, backs off or gives up according to the
:class:`SendResult` it gets back.

:func:`read_notifier_settings` reads the keys every notifier section
shares (routing, pacing, retries, templates, timeouts) and refuses the
ones nobody reads. The last part reads what an HTTP service answered
(status, ``Retry-After``, connection errors) into that result, without
letting a credential in the URL through. Chat services with a length
limit have more in :mod:`gateway.chat`.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import math
import re
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Any
from typing import Callable
from typing import Mapping
from typing import Sequence
from urllib.parse import urlsplit

import jinja2
import jinja2.sandbox
import requests

from gateway._json import dumps
from gateway._logging import MASK
from gateway._logging import mask
from gateway.config import GatewayConfig
from gateway.errors import ConfigError

if TYPE_CHECKING:
    from gateway._types import Alarm


@dataclass(frozen=True)
class SendResult:
    """What one delivery attempt achieved.

    :param ok: the service accepted the message.
    :param detail: a short note for logs and the API (``HTTP 500``,
        ``sent in 2 parts``); never a secret.
    :param retry_after: seconds the service asked us to wait, if it said.
    :param is_rate_limited: the service refused for rate (HTTP 429); the
        attempt does not count against the retry budget.
    :param is_permanent: resending the same payload cannot succeed (bad
        request, message too long); the delivery goes dead at once.
    :param pause_notifier_for: seconds during which nothing at all is sent
        to this notifier, whatever the outcome: the service's rate window
        (Telegram's per-chat ``retry_after``, Discord's global 429 or
        ``X-RateLimit-Remaining: 0`` with ``X-RateLimit-Reset-After``).
    :param state: a more precise final state for a success, e.g.
        ``sent_plain_fallback``.
    """

    ok: bool
    detail: str = ""
    retry_after: float | None = None
    is_rate_limited: bool = False
    is_permanent: bool = False
    pause_notifier_for: float | None = None
    state: str | None = None


@dataclass(frozen=True)
class AlarmFilter:
    """Which alarms a notifier gets, from its section's routing keys.

    Keys (each optional, comma-separated values, case-insensitive):
    ``sources``, ``tickers``, ``actions``, and ``where`` with
    ``field=value`` pairs matched against ``alarm.fields``. An empty
    filter lets every alarm through.
    """

    sources: frozenset[str] = frozenset()
    tickers: frozenset[str] = frozenset()
    actions: frozenset[str] = frozenset()
    where: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, section: str, settings: Mapping[str, str]) -> AlarmFilter:
        """Read the routing keys of one ``[plugin:NAME]`` section."""

        def values(key: str) -> frozenset[str]:
            raw = settings.get(key, "") or ""
            return frozenset(v.strip().lower() for v in raw.split(",") if v.strip())

        where: dict[str, str] = {}
        for pair in values("where"):
            name, separator, value = pair.partition("=")
            if not separator or not name.strip():
                raise ConfigError(
                    section, "where", pair, "field=value pairs, e.g. signal=rsi"
                )
            where[name.strip()] = value.strip()

        return cls(values("sources"), values("tickers"), values("actions"), where)

    def accepts(self, alarm: Alarm) -> bool:
        """Say whether ``alarm`` passes every key that is set."""
        if self.sources and (alarm.source or "").lower() not in self.sources:
            return False
        if self.tickers and (alarm.ticker or "").lower() not in self.tickers:
            return False
        if self.actions and (alarm.action or "").lower() not in self.actions:
            return False
        for name, expected in self.where.items():
            found = {key.lower(): value for key, value in alarm.fields.items()}.get(
                name
            )
            if found is None or str(found).lower() != expected:
                return False
        return True


DEFAULT_TEMPLATE = (
    "{% if ticker %}{{ ticker }}{% if action %} {{ action }}{% endif %}"
    "{% if price is not none %} @ {{ price }}{% endif %}\n{% endif %}"
    "{{ message or raw }}"
)

_sandbox_cache: dict[Callable[[str], str] | None, jinja2.Environment] = {}


def _environment(escape: Callable[[str], str] | None) -> jinja2.Environment:
    environment = _sandbox_cache.get(escape)
    if environment is None:

        def finalize(value: Any) -> Any:
            if value is None:
                return ""
            if escape is None:
                return value
            return escape(str(value))

        environment = jinja2.sandbox.ImmutableSandboxedEnvironment(
            finalize=finalize, undefined=jinja2.ChainableUndefined, autoescape=False
        )
        _sandbox_cache[escape] = environment
    return environment


class MessageTemplate:
    """A Jinja2 template over an alarm's fields, escaping every value it inserts.

    The template's own text is kept as written (so ``*{{ ticker }}*`` stays
    bold in MarkdownV2) while each value taken from the alarm goes through
    ``escape``. Templates run sandboxed: an operator's template cannot
    reach Python internals.

    :param section: the section the template came from, for the error.
    :param key: the key it came from, for the error (``subject``...).
    :raises ConfigError: when ``source`` is not a valid Jinja2 template.
    """

    def __init__(
        self,
        source: str | None,
        escape: Callable[[str], str] | None = None,
        *,
        section: str = "plugin",
        key: str = "template",
    ) -> None:
        self.source = source or DEFAULT_TEMPLATE
        try:
            self._template = _environment(escape).from_string(self.source)
        except jinja2.TemplateSyntaxError as error:
            raise ConfigError(
                section, key, self.source, f"a valid Jinja2 template ({error})"
            ) from error

    def render(self, alarm: Alarm) -> str:
        """Render the template for one alarm; unknown names render empty."""
        values = {
            name: getattr(alarm, name)
            for name in alarm.__dataclass_fields__
            if name != "raw_bytes"
        }
        values["fields"] = alarm.fields
        values["n_a"] = "n/a"
        return self._template.render(values).strip()


_INTERNAL_FIELDS = ("dedup_key", "dedup_until")


def alarm_to_dict(alarm: Alarm, *, internal: bool = False) -> dict[str, Any]:
    """Return the alarm as the REST API shows it (JSON-ready but for decimals).

    ``raw_bytes`` becomes ``raw_base64`` (``None`` when the body was text).
    With ``internal`` the core's bookkeeping (the dedup key) is kept too,
    for the spool; notifiers never see it.
    """
    values = {name: getattr(alarm, name) for name in alarm.__dataclass_fields__}
    if not internal:
        for name in _INTERNAL_FIELDS:
            values.pop(name)
    raw_bytes = values.pop("raw_bytes")
    values["raw_base64"] = (
        base64.b64encode(raw_bytes).decode("ascii") if raw_bytes is not None else None
    )
    return values


def alarm_to_json(alarm: Alarm) -> str:
    """Serialise an alarm to JSON: exact decimals, UTC times, no NaN."""
    return dumps(alarm_to_dict(alarm))


class Notifier:
    """Base class of one delivery target (a chat, a mailbox, a topic).

    Subclasses set :attr:`name` (unique among enabled notifiers, usually the
    plugin's name) and implement :meth:`send`. The core handles routing,
    retries, back-off, dead letters and logging.

    :attr min_interval: seconds to leave between two sends to this target
        (pacing below the service's rate limit); 0 for none.
    :attr max_attempts: attempts before a delivery is dead (rate-limited
        attempts are not counted).

    :param alarm_filter: which alarms to accept; all when omitted.
    :param min_interval: replaces :attr:`min_interval` unless ``None``.
    :param max_attempts: replaces :attr:`max_attempts` unless ``None``.
    """

    name: str = "notifier"
    min_interval: float = 0.0
    max_attempts: int = 5

    def __init__(
        self,
        alarm_filter: AlarmFilter | None = None,
        *,
        min_interval: float | None = None,
        max_attempts: int | None = None,
    ) -> None:
        self.alarm_filter = alarm_filter or AlarmFilter()
        if min_interval is not None:
            self.min_interval = min_interval
        if max_attempts is not None:
            self.max_attempts = max_attempts

    def accepts(self, alarm: Alarm) -> bool:
        """Say whether this notifier wants ``alarm`` (routing keys of its section)."""
        return self.alarm_filter.accepts(alarm)

    def send(self, alarm: Alarm) -> SendResult:
        """Deliver one alarm; raise or return ``SendResult(ok=False)`` on failure.

        Called from a dispatcher thread, possibly concurrently for different
        alarms. Use connect and read timeouts on every network call. An
        exception counts as a failed attempt (its message is masked and
        stored as the delivery's last error).
        """
        raise NotImplementedError

    def close(self) -> None:
        """Release connections; called once when the gateway stops."""

    def describe(self) -> str:
        """A one-line, secret-free description for logs (e.g. a masked URL)."""
        return self.name


def failure_from_template_error(error: Exception) -> SendResult:
    """Turn an error raised by an operator's template into a permanent failure.

    A template can fail in any way (a division by zero, a missing
    attribute), and it fails the same way for the same alarm on every
    attempt, so the delivery goes dead at once with the error as reason.
    """
    return SendResult(
        ok=False,
        detail=f"template could not be rendered: {type(error).__name__}: {error}",
        is_permanent=True,
    )


# --------------------------------------------------------------------------
# The keys every notifier section shares
# --------------------------------------------------------------------------

# Routing keys (read by AlarmFilter), then the dispatcher's pacing and retries.
_NOTIFIER_KEYS = (
    "sources",
    "tickers",
    "actions",
    "where",
    "min_interval",
    "max_attempts",
)

# The shortest network timeout a section may set, in seconds.
_MIN_TIMEOUT = 0.1

# Key names that suggest a credential: a misspelt one may well hold one.
_SECRET_LOOKING_KEY = re.compile(r"tok|secret|pass|key|url|hook|auth", re.IGNORECASE)


@dataclass(frozen=True)
class NotifierSettings:
    """The keys every notifier section shares, checked.

    :param alarm_filter: which alarms the notifier gets (the routing keys).
    :param min_interval: seconds the dispatcher leaves between two sends.
    :param max_attempts: attempts before a delivery is dead; ``None`` when
        the section does not say (the ``[delivery]`` default applies).
    :param templates: the templates the notifier asked for, by key.
    :param timeouts: the timeouts it asked for, in seconds, by key.
    """

    alarm_filter: AlarmFilter
    min_interval: float
    max_attempts: int | None
    templates: Mapping[str, MessageTemplate]
    timeouts: Mapping[str, float]


def read_notifier_settings(
    section: str,
    raw: Mapping[str, str],
    *,
    own_keys: Sequence[str],
    templates: Mapping[str, str | None],
    timeouts: Mapping[str, tuple[float, float]],
    escape: Callable[[str], str] | None = None,
    interval: tuple[float, float] = (0.0, 300.0),
    echo_values: bool = False,
) -> NotifierSettings:
    """Check the keys every notifier section shares, and refuse unknown ones.

    Reads the routing keys (``sources``, ``tickers``, ``actions``,
    ``where``), ``min_interval``, ``max_attempts`` and the template and
    timeout keys the notifier names. Any other key not in ``own_keys`` is
    refused, so a typo does not pass unnoticed; the error does not show
    its value, which may be a credential under a misspelt name. A blank
    value counts as unset.

    :param section: the section's name, e.g. ``plugin:webhook``.
    :param raw: the section's values as written.
    :param own_keys: the keys the notifier reads itself (``url``...).
    :param templates: each template key and the source it defaults to
        (``None`` for :data:`DEFAULT_TEMPLATE`), e.g. ``{"template": None}``.
    :param timeouts: each timeout key and its ``(default, maximum)`` in
        seconds, e.g. ``{"timeout": (10.0, 300.0)}``; none is below 0.1.
    :param escape: how template values are escaped for the target format.
    :param interval: ``min_interval``'s ``(default, maximum)`` in seconds.
    :param echo_values: show an unknown key's value, masked, unless the
        key's name looks like a credential's (``webhok_url``).
    :raises ConfigError: naming the key at fault.
    """
    known = (*own_keys, *templates, *timeouts, *_NOTIFIER_KEYS)
    _refuse_unknown_keys(section, raw, known, echo_values=echo_values)

    config = GatewayConfig({section: raw})
    default_interval, max_interval = interval
    max_attempts: int | None = None
    if config.get(section, "max_attempts") is not None:
        max_attempts = config.get_int(
            section, "max_attempts", 5, minimum=1, maximum=100
        )

    return NotifierSettings(
        alarm_filter=AlarmFilter.from_settings(section, raw),
        min_interval=config.get_seconds(
            section, "min_interval", default_interval, maximum=max_interval
        ),
        max_attempts=max_attempts,
        templates={
            key: MessageTemplate(
                config.get(section, key, default), escape, section=section, key=key
            )
            for key, default in templates.items()
        },
        timeouts={
            key: config.get_seconds(
                section, key, default, minimum=_MIN_TIMEOUT, maximum=maximum
            )
            for key, (default, maximum) in timeouts.items()
        },
    )


def _refuse_unknown_keys(
    section: str, raw: Mapping[str, str], known: Sequence[str], *, echo_values: bool
) -> None:
    for key, value in raw.items():
        if key in known:
            continue
        # A misspelt key (hmac_secrett, bot_tokn) may hold a credential.
        is_hidden = not echo_values or _SECRET_LOOKING_KEY.search(key)
        shown = MASK if is_hidden else mask(value)
        raise ConfigError(section, key, shown, f"one of the keys {', '.join(known)}")


# --------------------------------------------------------------------------
# Reading an HTTP service's answer
# --------------------------------------------------------------------------

# Path words of the webhook URLs we know; any other segment may be a secret.
_PLAIN_SEGMENT = re.compile(r"^(api|webhooks|services|hooks|triggers|workflows|v\d+)$")

# 408 Request Timeout and 425 Too Early say "try again", unlike other 4xx.
_RETRYABLE_4XX = frozenset({408, 425})


def retry_after_seconds(
    value: object, *, now: dt.datetime | None = None
) -> float | None:
    """Read a wait a service asked for: seconds (fractions allowed) or an HTTP date.

    Accepts a number from a JSON body, a header value such as ``"2"`` or
    ``"1.75"``, or an HTTP date (``Wed, 21 Oct 2026 07:28:00 GMT``); a date
    in the past gives ``0.0``.

    :param now: the current time, for reading a date (tests pass one).
    :returns: the wait in seconds, never negative; ``None`` when there is
        nothing usable (no value, a word, ``NaN``, infinity).
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return max(float(value), 0.0) if math.isfinite(value) else None

    text = str(value).strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        return _seconds_until(text, now)
    return max(seconds, 0.0) if math.isfinite(seconds) else None


def _seconds_until(http_date: str, now: dt.datetime | None) -> float | None:
    try:
        moment = email.utils.parsedate_to_datetime(http_date)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    now = now or dt.datetime.now(dt.timezone.utc)
    return max((moment - now).total_seconds(), 0.0)


def result_from_status(
    status: int,
    detail: str,
    *,
    retry_after: float | None = None,
    pause: float | None = None,
) -> SendResult:
    """Map an HTTP status to the :class:`SendResult` the dispatcher acts on.

    2xx is sent; 429 is rate limited (the attempt does not count); 408,
    425 and 5xx are failures worth retrying; any other 4xx is permanent,
    as the same request would be refused again. Other statuses (1xx, 3xx)
    count as failures and are retried.

    :param detail: the secret-free text for logs and the API.
    :param retry_after: the wait the service asked for, if it said one.
    :param pause: seconds during which nothing at all should go to this
        notifier (the service's rate window), if known.
    """
    if 200 <= status < 300:
        return SendResult(ok=True, detail=detail, pause_notifier_for=pause)
    if status == 429:
        return SendResult(
            ok=False,
            detail=detail,
            retry_after=retry_after,
            is_rate_limited=True,
            pause_notifier_for=pause,
        )
    if 400 <= status < 500 and status not in _RETRYABLE_4XX:
        return SendResult(ok=False, detail=detail, is_permanent=True)
    return SendResult(ok=False, detail=detail, retry_after=retry_after)


def failure_from_exception(
    error: requests.RequestException, shown_url: str
) -> SendResult:
    """Turn a failed connection or a timeout into a failure worth retrying.

    The detail names the kind of error and ``shown_url`` only: the text of
    a ``requests`` exception quotes the full URL, credential included, so
    it is never passed on.

    :param shown_url: the target address with its credential masked.
    """
    if isinstance(error, requests.ConnectTimeout):
        reason = "connect timed out"
    elif isinstance(error, requests.ReadTimeout):
        reason = "read timed out"
    elif isinstance(error, requests.exceptions.SSLError):
        reason = "TLS handshake failed"
    elif isinstance(error, requests.ConnectionError):
        reason = "connection failed"
    else:
        reason = "request failed"
    return SendResult(
        ok=False, detail=f"{reason} ({type(error).__name__}) at {shown_url}"
    )


def json_or_empty(response: requests.Response) -> dict[str, object]:
    """Return the answer's body as a JSON object, or ``{}`` when it is not one."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def first_line(text: str, limit: int = 200) -> str:
    """Return the first line of a service's answer, cut to ``limit`` characters."""
    line = text.strip().split("\n", 1)[0].strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"


def masked_url(url: str) -> str:
    """Return ``url`` fit to show in an error message: only plain words kept.

    For a webhook URL that could not be read, so its credential cannot be
    located: the path words of known webhook URLs (``api``, ``webhooks``,
    ``services``...) and API versions stay, numbers keep three digits,
    every other segment becomes ``***``, and the query, user and password
    are dropped.
    """
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        port = None
    host = parts.hostname or ""
    if port:
        host += f":{port}"

    shown = [_masked_segment(segment) for segment in parts.path.split("/") if segment]
    path = "/".join(shown)
    address = f"{parts.scheme}://{host}" if parts.scheme else host
    return "/".join(piece for piece in (address, path) if piece)


def _masked_segment(segment: str) -> str:
    if _PLAIN_SEGMENT.match(segment):
        return segment
    if segment.isdigit():
        return segment[:3] + "…"
    return MASK
