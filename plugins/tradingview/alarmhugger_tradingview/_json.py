"""Reading bodies that are JSON, whatever the Content-Type says.

TradingView sends ``text/plain`` when a template is not valid JSON, and a
JSON template with a trailing newline was seen arriving as ``text/plain``
too, so the declared type is never trusted: the first character decides.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any
from typing import NamedTuple

from alarmhugger_tradingview._placeholders import collect_placeholders

# ``{`` not followed by a second ``{`` (that is a placeholder), or ``[``
# followed by something a JSON value can start with; ``[ALERT] ...`` and
# ``{{ticker}} crossed ...`` are free text, not broken JSON.
_LOOKS_LIKE_JSON = re.compile(
    r'\{(?!\{)|\[\s*(?:[\[\]"\-0-9]|\{(?!\{)|(?:true|false|null|NaN|Infinity)\b)'
)

# A UTF-16 half with no partner, from an escape such as ``\\ud83d``.
_SURROGATE = re.compile("[\ud800-\udfff]")

# Stands in for NaN/Infinity while decoding; replaced by None afterwards.
_NON_FINITE = object()


def _mark_non_finite(word: str) -> object:
    return _NON_FINITE


# Built once: json.loads(..., parse_float=...) would build a decoder per
# call. Sharing it between threads is what json.loads does with its own.
_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_mark_non_finite)


class BodyNotReadable(Exception):
    """The body looked like JSON but cannot be used; the message says why."""


class JsonBody(NamedTuple):
    """A decoded JSON body.

    :param fields: the top-level object, or ``{"items": [...]}`` for an
        array.
    :param record: the object to normalise from: the top-level object, the
        only element of a one-object array, or ``None``.
    :param non_finite: dotted paths (into ``fields``) of NaN/Infinity
        values, which are now ``None``.
    :param unresolved: names of placeholders found in keys or strings.
    :param warnings: notes on what was changed, e.g. repaired text.
    """

    fields: dict[str, Any]
    record: dict[str, Any] | None
    non_finite: list[str]
    unresolved: list[str]
    warnings: list[str]


def looks_like_json(text: str) -> bool:
    """Tell whether stripped ``text`` starts the way a JSON object or array does."""
    return _LOOKS_LIKE_JSON.match(text) is not None


def read_json(body: str, max_depth: int) -> JsonBody:
    """Decode ``body`` as a JSON object or array, numbers as Decimal or int.

    Surrounding whitespace is allowed; error positions count from the start
    of ``body``.

    :raises BodyNotReadable: when the body is not valid JSON or nests
        deeper than ``max_depth``.
    """
    start = len(body) - len(body.lstrip())
    try:
        value, end = _DECODER.raw_decode(body, start)
        if end < len(body) and not body[end:].isspace():
            raise json.JSONDecodeError("Extra data", body, end)
    except json.JSONDecodeError as error:
        raise BodyNotReadable(
            f"looks like JSON but is invalid: {error.msg} "
            f"at line {error.lineno} column {error.colno}"
        ) from None
    except RecursionError:
        # Python's parser gives up near 1000 levels (case 07); past our
        # limit either way.
        raise BodyNotReadable(f"nesting deeper than {max_depth}") from None
    except (ValueError, ArithmeticError):
        # An integer past Python's digit limit, or an exponent Decimal
        # cannot hold.
        raise BodyNotReadable(
            "looks like JSON but is invalid: a number is too long or out of range"
        ) from None

    fields: dict[str, Any]
    record: dict[str, Any] | None
    if isinstance(value, dict):
        fields, record, depth = value, value, 1
    else:
        fields, record, depth = {"items": value}, _only_object(value), 0

    walk = _Walk(max_depth)
    if _needs_walk(body, max_depth):
        walk.visit(fields, "", depth)

    warnings = []
    if walk.repaired:
        warnings.append("lone surrogate escapes replaced with U+FFFD")
    return JsonBody(fields, record, walk.non_finite, walk.unresolved, warnings)


def _only_object(items: list[Any]) -> dict[str, Any] | None:
    if len(items) == 1 and isinstance(items[0], dict):
        return items[0]
    return None


def _needs_walk(body: str, max_depth: int) -> bool:
    # Cheap scans in C decide whether the decoded tree must be visited at
    # all; a usual alert has a handful of brackets and none of these words.
    return (
        body.count("{") + body.count("[") > max_depth
        or "NaN" in body
        or "Infinity" in body
        or "{{" in body
        or "\\ud" in body
        or "\\uD" in body
    )


class _Walk:
    """One pass over a decoded tree: depth, non-finite values, placeholders.

    Also repairs lone surrogates: ``"\\ud800"`` is valid JSON but gives a
    string no database or UTF-8 encoder accepts, so it becomes U+FFFD.
    """

    def __init__(self, max_depth: int) -> None:
        self.max_depth = max_depth
        self.non_finite: list[str] = []
        self.unresolved: list[str] = []
        self.repaired = False

    def visit(
        self, container: dict[str, Any] | list[Any], path: str, depth: int
    ) -> None:
        if depth > self.max_depth:
            raise BodyNotReadable(f"nesting deeper than {self.max_depth}")

        bad_keys: list[str] = []
        items = (
            container.items() if isinstance(container, dict) else enumerate(container)
        )
        for key, child in items:
            if isinstance(key, str):
                collect_placeholders(key, self.unresolved)
                if _SURROGATE.search(key):
                    bad_keys.append(key)

            if child is _NON_FINITE:
                container[key] = None  # type: ignore[index]
                self.non_finite.append(f"{path}{key}")
            elif isinstance(child, str):
                collect_placeholders(child, self.unresolved)
                if _SURROGATE.search(child):
                    container[key] = self._repair(child)  # type: ignore[index]
            elif isinstance(child, (dict, list)):
                self.visit(child, f"{path}{key}.", depth + 1)

        if isinstance(container, dict):
            for key in bad_keys:
                container[self._repair(key)] = container.pop(key)

    def _repair(self, text: str) -> str:
        self.repaired = True
        return _SURROGATE.sub("\ufffd", text)
