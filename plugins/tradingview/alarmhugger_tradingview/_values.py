"""Reading numbers and times out of received values without losing precision.

Numbers become :class:`~decimal.Decimal` (never ``float``), so
``64250.5`` stays exactly ``64250.5`` all the way to storage.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

# What a key=value value must look like to be taken as a number: JSON's own
# grammar, so ``007`` or ``1_000`` stay text (Decimal alone would take both).
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")

# What a normalised field accepts from text: also ``+5``, ``.5`` and ``5.``.
_LOOSE_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")

# Pine renders a missing value as ``NaN``; these are JSON's extensions too.
NON_FINITE_WORDS = frozenset({"NaN", "Infinity", "-Infinity", "+Infinity"})

# Unix times at or above this are taken as milliseconds (1e11 s is the
# year 5138; 1e11 ms is March 1973).
_MILLISECONDS_FROM = Decimal(10**11)

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def read_number(text: str) -> int | Decimal | None:
    """Return the number ``text`` spells in JSON notation, or ``None``.

    Whole numbers without fraction or exponent become ``int``, the rest
    :class:`~decimal.Decimal`.
    """
    match = _JSON_NUMBER.fullmatch(text)
    if match is None:
        return None

    try:
        if match.group(1) is None and match.group(2) is None:
            return int(text)
        return Decimal(text)
    except (ValueError, ArithmeticError):
        # Past Python's 4300-digit int limit or Decimal's exponent range.
        return None


def to_decimal(value: object) -> Decimal:
    """Return ``value`` as a finite Decimal.

    :raises ValueError: when ``value`` is not a number or numeric text.
    """
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)

    if isinstance(value, str):
        text = value.strip()
        if _LOOSE_NUMBER.fullmatch(text):
            try:
                return Decimal(text)
            except ArithmeticError:
                pass

    raise ValueError("is not a number")


def to_time(value: object) -> dt.datetime:
    """Return ``value`` as an aware UTC datetime.

    Accepts ISO 8601 text (``2025-01-15T14:30:00Z``; without an offset it
    is taken as UTC) and Unix time in seconds or milliseconds, as a number
    or as text.

    :raises ValueError: when ``value`` is neither.
    """
    if isinstance(value, str):
        text = value.strip()
        if not _LOOSE_NUMBER.fullmatch(text):
            return _read_iso_time(text)
        value = text

    try:
        seconds = to_decimal(value)
    except ValueError:
        raise ValueError("is not a time") from None

    if abs(seconds) >= _MILLISECONDS_FROM:
        seconds /= 1000
    try:
        return _EPOCH + dt.timedelta(seconds=float(seconds))
    except (OverflowError, ValueError):
        raise ValueError("is not a time in range") from None


def _read_iso_time(text: str) -> dt.datetime:
    if text[-1:] == "z":
        text = text[:-1] + "Z"

    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("is not an ISO 8601 time") from None

    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.timezone.utc)
    try:
        return moment.astimezone(dt.timezone.utc)
    except OverflowError:
        raise ValueError("is not a time in range") from None
