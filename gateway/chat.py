"""What chat notifiers share: settings, fitting text to a limit, parts, a base class.

A chat notifier (Telegram, Discord, Slack, or a third party's) renders each
alarm with the operator's template, fits the text to the service's length
limit, and posts it as JSON to one URL holding a credential. This module
does all of that once; a plugin adds the service's escaping, where a cut
is safe, and what its answers mean:

- :func:`read_chat_settings` reads the keys every chat section shares.
- :func:`fit_message` splits or truncates text, counted in UTF-16 units.
- :func:`send_in_parts` sends the parts in order, each at most once.
- :class:`ChatNotifier` ties these together; :class:`ChatPlugin` is the
  plugin object offering one such notifier.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Any
from typing import Callable
from typing import ClassVar
from typing import Generic
from typing import Mapping
from typing import Sequence
from typing import TypeVar
from urllib.parse import urlsplit

import requests
from loguru import logger

from gateway._logging import MASK
from gateway._logging import mask
from gateway._logging import register_secret
from gateway.config import GatewayConfig
from gateway.errors import ConfigError
from gateway.hookspecs import hookimpl
from gateway.notify import AlarmFilter
from gateway.notify import MessageTemplate
from gateway.notify import Notifier
from gateway.notify import SendResult
from gateway.notify import failure_from_exception
from gateway.notify import masked_url
from gateway.notify import read_notifier_settings

if TYPE_CHECKING:
    from urllib.parse import SplitResult

    from gateway._types import Alarm

SafeCut = Callable[[str, int], int]
Marker = Callable[[int, int], str]

# --------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------

# The network timeouts of a chat section: (default, maximum) in seconds.
_CHAT_TIMEOUTS = {"connect_timeout": (5.0, 120.0), "read_timeout": (10.0, 300.0)}

# What min_interval may be at most, in seconds.
_MAX_INTERVAL = 600.0


@dataclass(frozen=True)
class ChatSettings:
    """What every chat notifier reads from its section, checked.

    :param template: the message template, escaping values for the format.
    :param alarm_filter: the routing keys (``sources``, ``tickers``...).
    :param split: split a long message into marked parts (``True``) or
        truncate it with a pointer to the stored alarm.
    :param min_interval: seconds the dispatcher leaves between two sends.
    :param max_attempts: attempts before a delivery is dead.
    :param connect_timeout: seconds to wait for a connection.
    :param read_timeout: seconds to wait for the service's answer.
    """

    template: MessageTemplate
    alarm_filter: AlarmFilter = field(default_factory=AlarmFilter)
    split: bool = True
    min_interval: float = 1.0
    max_attempts: int = 5
    connect_timeout: float = 5.0
    read_timeout: float = 10.0


def read_chat_settings(
    section: str,
    raw: Mapping[str, str],
    *,
    own_keys: Sequence[str],
    escape: Callable[[str], str] | None,
    default_interval: float,
) -> ChatSettings:
    """Check the keys every chat notifier shares, and refuse unknown ones.

    :func:`~gateway.notify.read_notifier_settings` with the chat keys:
    ``template``, ``split``, ``connect_timeout`` and ``read_timeout``. An
    unknown key's value is shown, masked, unless its name looks like a
    credential's.

    :param section: the section's name, e.g. ``plugin:telegram``.
    :param raw: the section's values as written.
    :param own_keys: the keys the notifier reads itself (``webhook_url``...).
    :param escape: how template values are escaped for the target format.
    :param default_interval: ``min_interval`` when the section sets none.
    :raises ConfigError: naming the key at fault.
    """
    shared = read_notifier_settings(
        section,
        raw,
        own_keys=(*own_keys, "split"),
        templates={"template": None},
        timeouts=_CHAT_TIMEOUTS,
        escape=escape,
        interval=(default_interval, _MAX_INTERVAL),
        echo_values=True,
    )
    split = GatewayConfig({section: raw}).get_bool(section, "split", True)
    max_attempts = shared.max_attempts
    if max_attempts is None:
        max_attempts = ChatSettings.max_attempts

    return ChatSettings(
        template=shared.templates["template"],
        alarm_filter=shared.alarm_filter,
        split=split,
        min_interval=shared.min_interval,
        max_attempts=max_attempts,
        connect_timeout=shared.timeouts["connect_timeout"],
        read_timeout=shared.timeouts["read_timeout"],
    )


@dataclass(frozen=True)
class ServiceAddress:
    """Where a chat notifier posts, and the same address fit to show.

    :param url: the full address; it holds the credential and is never
        logged.
    :param secret: the credential inside ``url``.
    :param shown: the address with the credential masked, e.g.
        ``hooks.slack.com/services/T0…/B0…/***``; the only form that
        appears in logs and results.
    """

    url: str = field(repr=False)
    secret: str = field(repr=False)
    shown: str


def match_webhook_url(
    section: str, key: str, url: str, path: re.Pattern[str], *, expected: str
) -> tuple[SplitResult, re.Match[str]]:
    """Check a webhook URL whose path holds the credential, and mask that credential.

    The credential (the group named ``secret`` in ``path``) is registered
    as a secret before anything can fail, so no error message or log line
    shows it.

    :param key: the setting the URL came from, for the error message.
    :param path: matched against the URL's path; must have a ``secret`` group.
    :param expected: what a good value looks like, for the error message.
    :returns: the split URL and the match of its path.
    :raises ConfigError: when ``url`` is empty, not http(s) or its path
        does not match; the value shown keeps only plain path words.
    """
    if not url:
        raise ConfigError(section, key, "", expected)

    parts = urlsplit(url)
    match = path.match(parts.path)
    if match:
        register_secret(match.group("secret"))
    if parts.scheme not in {"http", "https"} or not parts.netloc or not match:
        raise ConfigError(section, key, masked_url(url), expected)
    return parts, match


# --------------------------------------------------------------------------
# Fitting text to a length limit
# --------------------------------------------------------------------------

# How far back a truncated message looks for a space to end on.
_WORD_LOOKBACK = 80

# The fewest units a part must keep for text once its marker is added.
_MINIMUM_ROOM = 16

# How far back a cut looks for an unfinished entity or <...> sequence.
_ENTITY_LOOKBACK = 12
_TAG_LOOKBACK = 300


def utf16_length(text: str) -> int:
    """Count ``text`` as the chat services do: an emoji outside the BMP counts twice."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def fit_message(
    text: str,
    limit: int,
    *,
    split: bool,
    marker: Marker,
    truncation: str,
    safe_cut: SafeCut,
) -> list[str]:
    """Return the messages to send for ``text``: one, or several of ``limit`` at most.

    Lengths are counted in UTF-16 code units, which is never less than
    what a service counts. With ``split`` the text is cut at line breaks
    (a longer line where ``safe_cut`` allows) and, when that gives more
    than one part, each ends with ``marker(number, total)``. Without it
    the text is cut once, at a line break or a space near the limit, and
    ``truncation`` is appended.

    :param marker: the part marker, already escaped for the format, e.g.
        ``lambda number, total: f" ({number}/{total})"``.
    :param truncation: the suffix of a cut message, already escaped.
    :param safe_cut: ``safe_cut(text, position)`` moves a cut position
        back so that no escape sequence or entity is broken (see
        :func:`cut_outside_backslash` and :func:`cut_outside_entity`).
    :raises ValueError: when ``limit`` leaves fewer than 16 units for text
        beside the marker or the truncation note.
    """
    if utf16_length(text) <= limit:
        return [text]

    suffix = marker(999, 999) if split else truncation
    room = limit - utf16_length(suffix)
    if room < _MINIMUM_ROOM:
        raise ValueError(
            f"a message limit of {limit} leaves {room} units for text beside"
            f" {suffix!r}; it needs at least {_MINIMUM_ROOM}"
        )
    if not split:
        return [_truncate(text, room, safe_cut) + truncation]

    parts = _split_lines(text, room, safe_cut)
    if len(parts) == 1:
        return parts
    total = len(parts)
    return [part + marker(number, total) for number, part in enumerate(parts, 1)]


def split_message(text: str, limit: int, *, marker: bool = True) -> list[str]:
    """Split plain text into parts of at most ``limit`` units, at line breaks.

    :func:`fit_message` for plain text: lines longer than a part are cut
    anywhere, and with ``marker`` each part ends with `` (1/2)``.

    :raises ValueError: when ``limit`` is too small to split at (see
        :func:`fit_message`).
    """
    return fit_message(
        text,
        limit,
        split=True,
        marker=_plain_marker if marker else _no_marker,
        truncation="",
        safe_cut=_cut_anywhere,
    )


def cut_outside_backslash(text: str, position: int) -> int:
    """Move a cut back so that no backslash is parted from the character it escapes.

    A :data:`SafeCut` for formats escaping with a backslash (Telegram's
    MarkdownV2, Discord's markdown).
    """
    head = text[:position]
    run = len(head) - len(head.rstrip("\\"))
    return position - 1 if run % 2 else position


def cut_outside_entity(text: str, position: int) -> int:
    """Move a cut back so that no ``&amp;`` entity or ``<...>`` tag is broken.

    A :data:`SafeCut` for HTML-like formats (Telegram's HTML, Slack's
    mrkdwn, whose ``<url|text>`` links and ``<!here>`` use angle brackets).
    """
    head = text[:position]
    ampersand = head.rfind("&", max(position - _ENTITY_LOOKBACK, 0))
    if ampersand != -1 and ";" not in head[ampersand:]:
        position = ampersand

    head = text[:position]
    opening = head.rfind("<", max(position - _TAG_LOOKBACK, 0))
    if opening != -1 and ">" not in head[opening:]:
        position = opening
    return position


def _plain_marker(number: int, total: int) -> str:
    return f" ({number}/{total})"


def _no_marker(number: int, total: int) -> str:
    return ""


def _cut_anywhere(text: str, position: int) -> int:
    return position


def _split_lines(text: str, room: int, safe_cut: SafeCut) -> list[str]:
    # Over-long lines are broken first, where the format allows it, so no
    # part ends inside an escape such as "\." or "&amp;".
    lines: list[str] = []
    for line in text.split("\n"):
        while utf16_length(line) > room:
            cut = _safe_position(line, _prefix_within(line, room), safe_cut)
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)

    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        length = utf16_length(line)
        if current and size + 1 + length > room:
            parts.append("\n".join(current))
            current, size = [], 0
        size += length + (1 if current else 0)
        current.append(line)
    parts.append("\n".join(current))

    return [part.strip("\n") for part in parts if part.strip()]


def _truncate(text: str, room: int, safe_cut: SafeCut) -> str:
    cut = _safe_position(text, _prefix_within(text, room), safe_cut)

    # End at a line break in the second half if there is one, else at a
    # space near the end, rather than inside a word.
    line_break = text.rfind("\n", 0, cut + 1)
    space = text.rfind(" ", 0, cut + 1)
    if line_break > cut // 2:
        cut = line_break
    elif space > 0 and space > cut - _WORD_LOOKBACK:
        cut = _safe_position(text, space, safe_cut)
    return text[:cut].rstrip()


def _safe_position(text: str, fits: int, safe_cut: SafeCut) -> int:
    # A cut the format cannot move back far enough falls back to where the
    # text fits; a cut is never 0, so every step makes progress.
    cut = safe_cut(text, fits)
    if not 0 < cut <= fits:
        cut = fits
    return max(cut, 1)


def _prefix_within(text: str, budget: int) -> int:
    # The longest prefix, in characters, that is at most budget UTF-16 units.
    position = max(min(len(text), budget), 0)
    while position and utf16_length(text[:position]) > budget:
        excess = utf16_length(text[:position]) - budget
        position -= max(excess // 2, 1)
    return position


# --------------------------------------------------------------------------
# Sending in parts
# --------------------------------------------------------------------------

# Alarms whose split message is partly sent, remembered per notifier.
PROGRESS_CAPACITY = 1000


class PartProgress:
    """Remembers how many parts of each alarm's split message were accepted.

    A retry then resumes with the first part not yet sent instead of
    repeating the earlier ones. Kept in memory: after a restart, or for an
    alarm pushed out by ``capacity`` newer ones, a retry starts again at
    part one. Safe to share between threads.
    """

    def __init__(self, capacity: int = PROGRESS_CAPACITY) -> None:
        self.capacity = capacity
        self._sent: OrderedDict[str, tuple[str, int]] = OrderedDict()
        self._lock = threading.Lock()

    def already_sent(self, alarm_id: str, parts: Sequence[str]) -> int:
        """Return how many of ``parts`` went out before (0 if they changed)."""
        with self._lock:
            fingerprint, count = self._sent.get(alarm_id, ("", 0))
        if fingerprint != _fingerprint(parts) or count >= len(parts):
            return 0
        return count

    def record(self, alarm_id: str, parts: Sequence[str], count: int) -> None:
        """Note that the first ``count`` of ``parts`` were accepted."""
        with self._lock:
            self._sent[alarm_id] = (_fingerprint(parts), count)
            self._sent.move_to_end(alarm_id)
            while len(self._sent) > self.capacity:
                self._sent.popitem(last=False)

    def forget(self, alarm_id: str) -> None:
        """Drop what is known of ``alarm_id`` (all sent, or given up)."""
        with self._lock:
            self._sent.pop(alarm_id, None)


def _fingerprint(parts: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass") + b"\x00")
    return digest.hexdigest()


def send_in_parts(
    alarm_id: str,
    parts: Sequence[str],
    progress: PartProgress,
    send_part: Callable[[str], SendResult],
    *,
    min_interval: float = 0.0,
) -> SendResult:
    """Send the parts not yet accepted, in order, stopping at the first refusal.

    Parts accepted before (see :class:`PartProgress`) are skipped. When a
    part succeeds but the service says its rate window is used up, the
    rest waits: the result is a rate-limit refusal naming the next part,
    and the retry resumes there. After several parts went out, the
    notifier is paused ``min_interval`` per part, so the pace holds.

    :param send_part: posts one part and says how it went.
    :returns: the result of the last part tried; with several parts its
        detail names the part (``part 2/3: HTTP 500``).
    """
    total = len(parts)
    first = progress.already_sent(alarm_id, parts)
    state: str | None = None
    notes: list[str] = []
    result = SendResult(ok=True)

    for index in range(first, total):
        result = send_part(parts[index])
        if not result.ok:
            if result.is_permanent:
                progress.forget(alarm_id)
            return _name_part(result, index, total)

        if result.state:
            state = state or result.state
            notes.append(
                f"part {index + 1} {result.detail}" if total > 1 else result.detail
            )
        if total > 1:
            progress.record(alarm_id, parts, index + 1)

        wait = result.pause_notifier_for
        if wait and index + 1 < total:
            waiting = SendResult(
                ok=False,
                detail=f"rate window used up, next part waits {wait:g} s",
                retry_after=wait,
                is_rate_limited=True,
                pause_notifier_for=wait,
            )
            return _name_part(waiting, index + 1, total)

    progress.forget(alarm_id)
    sent_now = total - first
    detail = f"sent in {total} parts" if total > 1 else "sent"
    if first:
        detail += f" (parts 1-{first} sent before)"

    pause = result.pause_notifier_for or 0.0
    if sent_now > 1:
        pause = max(pause, min_interval * sent_now)
    return SendResult(
        ok=True,
        detail="; ".join([detail, *notes]),
        state=state,
        pause_notifier_for=pause or None,
    )


def _name_part(result: SendResult, index: int, total: int) -> SendResult:
    if total == 1:
        return result
    detail = f"part {index + 1}/{total}: {result.detail}"
    if index and not result.is_permanent:
        detail += f" (parts 1-{index} sent, not repeated on retry)"
    return SendResult(
        ok=False,
        detail=detail,
        retry_after=result.retry_after,
        is_rate_limited=result.is_rate_limited,
        is_permanent=result.is_permanent,
        pause_notifier_for=result.pause_notifier_for,
        state=result.state,
    )


# --------------------------------------------------------------------------
# The notifier and its plugin
# --------------------------------------------------------------------------


class ChatNotifier(Notifier):
    """Renders an alarm, fits it to the service's limit and posts it in parts.

    Subclasses set :attr:`message_limit`, implement :meth:`send_part` (one
    exchange with the service, mapped to a :class:`SendResult`, usually
    through :meth:`post_json`) and, for a formatted target, override
    :meth:`part_marker`, :meth:`truncation_note` and :meth:`safe_cut`.
    Sends to one notifier go out one at a time, so the parts of a message
    stay in order.

    :param name: the notifier's name, usually the plugin's.
    :param chat: the section's shared settings.
    :param address: where to post; its credential never reaches a log.
    """

    message_limit: ClassVar[int] = 2000

    def __init__(self, name: str, chat: ChatSettings, address: ServiceAddress) -> None:
        super().__init__(
            chat.alarm_filter,
            min_interval=chat.min_interval,
            max_attempts=chat.max_attempts,
        )
        self.name = name
        self.chat = chat
        self.address = address
        self._session = requests.Session()
        self._session.headers["User-Agent"] = f"alarmhugger-{name}"
        self._progress = PartProgress()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.describe()}>"

    def describe(self) -> str:
        """Name the notifier and its target, credential masked."""
        return f"{self.name}: {self.address.shown}"

    def send(self, alarm: Alarm) -> SendResult:
        """Render ``alarm`` and send it, in parts when it is too long.

        Never raises for a network or service problem: every answer is
        mapped to a :class:`SendResult`. A template that fails or renders
        nothing is a permanent failure, as resending cannot change it.
        """
        # Rendering is the same on every attempt: a template that fails for
        # this alarm fails for good, so it is not retried.
        try:
            text = self.chat.template.render(alarm)
        except Exception as error:
            logger.opt(exception=error).warning(
                "{}: template failed for alarm {}", self.name, alarm.id
            )
            reason = f"{type(error).__name__}: {mask(str(error))}"
            return SendResult(
                ok=False, detail=f"the template failed: {reason}", is_permanent=True
            )
        if not text:
            return SendResult(
                ok=False,
                detail="the template rendered an empty message",
                is_permanent=True,
            )

        parts = fit_message(
            text,
            self.message_limit,
            split=self.chat.split,
            marker=self.part_marker,
            truncation=self.truncation_note(alarm.id),
            safe_cut=self.safe_cut,
        )
        with self._lock:
            result = send_in_parts(
                alarm.id,
                parts,
                self._progress,
                self.send_part,
                min_interval=self.min_interval,
            )

        if result.ok and len(parts) > 1:
            logger.info(
                "{}: alarm {} sent in {} parts", self.name, alarm.id, len(parts)
            )
        return result

    def close(self) -> None:
        """Close the HTTP connections."""
        self._session.close()

    def send_part(self, text: str) -> SendResult:
        """Post one message of at most :attr:`message_limit` units."""
        raise NotImplementedError

    def part_marker(self, number: int, total: int) -> str:
        """Return the suffix marking part ``number`` of ``total``, escaped."""
        return _plain_marker(number, total)

    def truncation_note(self, alarm_id: str) -> str:
        """Return the suffix of a cut message, escaped for the format."""
        return f"\n… full text: alarm #{alarm_id}"

    def safe_cut(self, text: str, position: int) -> int:
        """Move a cut in an over-long line back out of an escape or entity."""
        return position

    def post_json(
        self, payload: dict[str, Any], *, params: dict[str, str] | None = None
    ) -> requests.Response | SendResult:
        """POST ``payload`` as UTF-8 JSON; a failed connection becomes a result."""
        started = time.monotonic()
        try:
            response = self._session.post(
                self.address.url,
                params=params,
                data=json.dumps(payload, ensure_ascii=False).encode("utf-8", "replace"),
                headers={"Content-Type": "application/json; charset=utf-8"},
                timeout=(self.chat.connect_timeout, self.chat.read_timeout),
            )
        except requests.RequestException as error:
            logger.debug(
                "{}: POST {} failed: {}",
                self.name,
                self.address.shown,
                type(error).__name__,
            )
            return failure_from_exception(error, self.address.shown)

        logger.debug(
            "{}: POST {} answered {} in {:.0f} ms",
            self.name,
            self.address.shown,
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        return response

    def scrub(self, text: str) -> str:
        """Mask the credential, and every registered secret, in ``text``."""
        secret = self.address.secret
        return mask(text.replace(secret, MASK) if secret else text)


SettingsT = TypeVar("SettingsT")


class ChatPlugin(Generic[SettingsT]):
    """The plugin object of a chat notifier: reads its section, offers one notifier.

    Subclasses set :attr:`name` (the entry-point name, which also names the
    ``[plugin:NAME]`` section and the notifier) and implement
    :meth:`read_settings` and :meth:`make_notifier`.
    """

    name: ClassVar[str] = "chat"

    def __init__(self) -> None:
        self.settings: SettingsT | None = None

    @hookimpl
    def gateway_configure(self, config: GatewayConfig) -> None:
        """Read and check ``[plugin:NAME]``; its credential becomes a secret.

        :raises ConfigError: for a missing or malformed value, or an
            unknown key.
        """
        self.settings = self.read_settings(config.plugin_settings(self.name))

    @hookimpl
    def gateway_register_notifiers(self, config: GatewayConfig) -> list[Notifier]:
        """Offer one notifier, named after the plugin, for the configured target."""
        if self.settings is None:
            self.gateway_configure(config)
        assert self.settings is not None
        return [self.make_notifier(self.settings)]

    def read_settings(self, raw: Mapping[str, str]) -> SettingsT:
        """Check the plugin's section and return its settings.

        :raises ConfigError: naming the key at fault.
        """
        raise NotImplementedError

    def make_notifier(self, settings: SettingsT) -> Notifier:
        """Build the notifier for checked ``settings``."""
        raise NotImplementedError
