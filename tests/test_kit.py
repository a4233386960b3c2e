"""The public module for plugins (gateway.kit): complete, ordered, documented."""

from __future__ import annotations

import inspect

import gateway.kit


def _isort_key(name: str) -> tuple[int, str]:
    # Constants first, then classes, then functions, as ruff's RUF022 sorts.
    if name.isupper():
        return 0, name
    if name[0].isupper():
        return 1, name
    return 2, name


def test_kit_exports_are_complete_and_sorted():
    # pytest's assertion rewriting adds names such as "@py_builtins".
    public = {
        name
        for name in vars(gateway.kit)
        if name.isidentifier() and not name.startswith("_") and name != "annotations"
    }

    assert set(gateway.kit.__all__) == public
    assert gateway.kit.__all__ == sorted(gateway.kit.__all__, key=_isort_key)


def test_kit_exported_classes_and_functions_have_a_docstring():
    undocumented = [
        name
        for name in gateway.kit.__all__
        if (inspect.isclass(value := getattr(gateway.kit, name)) or callable(value))
        and not (inspect.getdoc(value) or "").strip()
    ]

    assert undocumented == []
