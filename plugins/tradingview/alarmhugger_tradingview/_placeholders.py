"""Spotting TradingView placeholders that reached us unsubstituted.

TradingView replaces ``{{close}}`` and friends before sending; when it
cannot (a typo, a strategy placeholder in an indicator alert, ``{{...}}``
written inside an ``alert()`` string) the braces arrive literally.
"""

from __future__ import annotations

import re

# The name is anything up to 200 characters without braces or line breaks:
# this covers ``close``, ``strategy.order.action`` and ``plot("RSI")``
# and keeps the scan linear on hostile input.
PLACEHOLDER = re.compile(r"\{\{\s*([^{}\r\n]{1,200}?)\s*\}\}")


def collect_placeholders(text: str, names: list[str]) -> None:
    """Append the names of placeholders in ``text`` to ``names``, once each."""
    if "{{" not in text:
        return

    for name in PLACEHOLDER.findall(text):
        if name not in names:
            names.append(name)


def has_placeholder(text: str) -> bool:
    """Tell whether ``text`` holds at least one unresolved placeholder."""
    return "{{" in text and PLACEHOLDER.search(text) is not None


def is_only_placeholder(text: str) -> bool:
    """Tell whether ``text`` is nothing but one placeholder, e.g. ``{{close}}``."""
    return "{{" in text and PLACEHOLDER.fullmatch(text.strip()) is not None
