"""The plugin author's documentation keeps up with the hook contract.

docs/plugins.md is partly generated from gateway/hookspecs.py by
docs/build_hook_reference.py; these tests fail when a hook is missing from
it, when its signature there differs from the code, when the generated
parts are stale, or when a hook has no ``test_hook_<name>`` test.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
import sys
from pathlib import Path

import pluggy
import pytest

from gateway import hookspecs

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "docs" / "plugins.md"

# The hooks of the first release; every later one needs a versionadded note.
FIRST_RELEASE_HOOKS = frozenset(
    {
        "gateway_configure",
        "gateway_startup",
        "gateway_shutdown",
        "gateway_screen_request",
        "gateway_parse_alarm",
        "gateway_enrich_alarm",
        "gateway_store_alarm",
        "gateway_query_alarms",
        "gateway_get_alarm",
        "gateway_claim_deliveries",
        "gateway_finish_delivery",
        "gateway_release_deliveries",
        "gateway_query_deliveries",
        "gateway_requeue_deliveries",
        "gateway_delivery_backlog",
        "gateway_prune_alarms",
        "gateway_upgrade_storage",
        "gateway_alarm_stored",
        "gateway_register_notifiers",
        "gateway_check_health",
    }
)


def hookspec_functions():
    return {
        name: function
        for name, function in vars(hookspecs).items()
        if callable(function) and hasattr(function, f"{hookspecs.PROJECT}_spec")
    }


HOOKS = sorted(hookspec_functions())


def signature_of(function) -> str:
    # hookspecs.py uses postponed annotations: each one is its source text.
    signature = inspect.signature(function)
    arguments = ", ".join(
        f"{parameter.name}: {parameter.annotation}"
        for parameter in signature.parameters.values()
    )
    return f"{function.__name__}({arguments}) -> {signature.return_annotation}"


def load_builder():
    name = "build_hook_reference"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, ROOT / "docs" / "build_hook_reference.py"
        )
        module = importlib.util.module_from_spec(spec)
        # dataclasses look their module up in sys.modules.
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="module")
def document() -> str:
    return DOCUMENT.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", HOOKS)
def test_docs_every_hook_documented_with_its_exact_signature(document, name):
    function = hookspec_functions()[name]

    assert f"\n#### {name}\n" in document
    assert f"```python\n{signature_of(function)}\n```" in document


def test_docs_document_no_hook_that_does_not_exist(document):
    documented = set(re.findall(r"^#### (gateway_\w+)$", document, re.MULTILINE))

    assert documented == set(HOOKS)


def test_docs_generated_parts_are_up_to_date(document):
    builder = load_builder()

    assert builder.rebuild(document) == document, (
        "docs/plugins.md is stale: run python docs/build_hook_reference.py"
    )


def test_docs_every_hook_has_an_example():
    examples = load_builder().read_examples()

    assert set(examples) == set(HOOKS)


def test_docs_examples_are_valid_hook_implementations(hook_examples):
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)

    for name, value in vars(hook_examples).items():
        is_plugin = inspect.isclass(value) and any(
            hasattr(member, f"{hookspecs.PROJECT}_impl")
            for member in vars(value).values()
        )
        if is_plugin:
            # pluggy refuses an implementation whose arguments the spec lacks.
            manager.register(value(), name=name)

    implemented = {
        caller.name
        for caller in manager.hook.__dict__.values()
        if caller.get_hookimpls()
    }
    assert implemented == set(HOOKS)


@pytest.mark.parametrize("name", HOOKS)
def test_hookspec_docstring_states_the_contract(name):
    function = hookspec_functions()[name]
    docstring = inspect.getdoc(function) or ""
    is_first_result = bool(function.gateway_spec.get("firstresult"))
    builder = load_builder()
    hook = builder.Hook(name, "", "", "", docstring, is_first_result)
    on_exception = builder.on_exception(hook, set())

    assert docstring.splitlines()[0].endswith(".")
    assert ("*First result.*" in docstring) == is_first_result
    assert on_exception, f"{name}'s docstring does not say what an exception does"
    if name not in FIRST_RELEASE_HOOKS:
        assert ".. versionadded::" in docstring


@pytest.mark.parametrize("name", HOOKS)
def test_docs_every_hook_has_a_test_named_after_it(name):
    folders = [
        ROOT / "tests",
        *ROOT.glob("plugins/*/tests"),
        *ROOT.glob("examples/*/tests"),
    ]
    pattern = re.compile(rf"^\s*def test_hook_{name}(?:_\w+)?\(", re.MULTILINE)

    found = [
        path
        for folder in folders
        for path in folder.rglob("test_*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]

    assert found, (
        f"no test named test_hook_{name}[_...] under tests/ or plugins/*/tests"
    )


def test_readme_points_plugin_authors_to_the_guide_and_the_scaffold():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Writing a plugin", 1)[1].split("\n## ", 1)[0]

    assert "docs/plugins.md" in section
    assert "gateway new-plugin" in section
