"""Write the generated parts of docs/plugins.md from gateway/hookspecs.py.

The hook table (how each hook is called, what an exception does) and the
per-hook reference (signature, docstring, example) are rebuilt from the
hook specifications and from docs/hook_examples.py, so they cannot drift
from the code::

    python docs/build_hook_reference.py           # rewrite docs/plugins.md
    python docs/build_hook_reference.py --check   # exit 1 when it is stale

tests/test_docs.py runs the check.
"""

from __future__ import annotations

import ast
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOOKSPECS = ROOT / "gateway" / "hookspecs.py"
EXAMPLES = ROOT / "docs" / "hook_examples.py"
DOCUMENT = ROOT / "docs" / "plugins.md"

REGIONS = ("hook table", "hook reference")

_BANNER = re.compile(r"^# -{10,}\n# (?P<title>[^\n]+)\n# -{10,}$", re.MULTILINE)
_EXAMPLE = re.compile(
    r"^[ \t]*# example: (?P<hook>\w+)\n(?P<body>.*?)^[ \t]*# end$",
    re.MULTILINE | re.DOTALL,
)


@dataclass(frozen=True)
class Hook:
    """One hook specification as the reference shows it."""

    name: str
    group: str
    arguments: str
    returns: str
    docstring: str
    is_first_result: bool

    @property
    def signature(self) -> str:
        """The signature exactly as written in hookspecs.py."""
        return f"{self.name}({self.arguments}) -> {self.returns}"


def read_hooks(source: str | None = None) -> list[Hook]:
    """Return the hook specifications of hookspecs.py, in the file's order."""
    source = source if source is not None else HOOKSPECS.read_text(encoding="utf-8")
    banners = [
        (source.count("\n", 0, match.start()) + 1, match.group("title"))
        for match in _BANNER.finditer(source)
    ]

    hooks = []
    for node in ast.parse(source).body:
        if not isinstance(node, ast.FunctionDef) or not _is_hookspec(node):
            continue
        group = [title for line, title in banners if line < node.lineno][-1]
        hooks.append(
            Hook(
                name=node.name,
                group=group,
                arguments=ast.unparse(node.args),
                returns=ast.unparse(node.returns) if node.returns else "None",
                docstring=ast.get_docstring(node) or "",
                is_first_result=_is_first_result(node),
            )
        )
    return hooks


def _is_hookspec(node: ast.FunctionDef) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Name) and target.id == "hookspec":
            return True
    return False


def _is_first_result(node: ast.FunctionDef) -> bool:
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Call):
            for keyword in decorator.keywords:
                if keyword.arg == "firstresult":
                    return bool(ast.literal_eval(keyword.value))
    return False


def read_examples(source: str | None = None) -> dict[str, str]:
    """Return each hook's example from hook_examples.py, dedented."""
    source = source if source is not None else EXAMPLES.read_text(encoding="utf-8")
    return {
        match.group("hook"): textwrap.dedent(match.group("body")).strip("\n")
        for match in _EXAMPLE.finditer(source)
    }


# --------------------------------------------------------------------------
# From reStructuredText docstrings to Markdown
# --------------------------------------------------------------------------

_ROLE = re.compile(
    r":(?:class|func|data|meth|mod|attr|exc):`(?P<tilde>~?)(?P<target>[^`]+)`"
)
_LITERAL = re.compile(r"``(?P<text>[^`]+)``")
_FIELD = re.compile(
    r"^:(?P<kind>param|raises|returns)(?: (?P<name>[^:]+))?:\s*(?P<text>.*)$"
)
_VERSION = re.compile(
    r"^\.\. (?P<kind>versionadded|versionchanged):: (?P<version>\S+)$"
)


def _inline(text: str, hook_names: set[str]) -> str:
    # As in Sphinx, "~" shows only the last part of a dotted name.
    def role(match: re.Match[str]) -> str:
        target = match.group("target")
        if target in hook_names:
            return f"[`{target}`](#{target})"
        if match.group("tilde"):
            target = target.rsplit(".", 1)[-1]
        return f"`{target}`"

    text = _ROLE.sub(role, text)
    return _LITERAL.sub(lambda match: f"`{match.group('text')}`", text)


def docstring_to_markdown(docstring: str, hook_names: set[str]) -> str:
    """Turn a hookspec docstring into Markdown paragraphs and lists."""
    lines = docstring.splitlines()
    output: list[str] = []
    fields: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        field = _FIELD.match(line)
        version = _VERSION.match(line)
        if field:
            text = [field.group("text")]
            index += 1
            while index < len(lines) and lines[index].startswith("    "):
                text.append(lines[index].strip())
                index += 1
            body = _inline(" ".join(text), hook_names)
            name = field.group("name")
            if field.group("kind") == "param":
                fields.append(f"- `{name}`: {body}")
            elif field.group("kind") == "raises":
                shown = _inline(f":class:`~{name}`", hook_names)
                fields.append(f"- raises {shown}: {body}")
            else:
                fields.append(f"- returns: {body}")
            continue
        if version:
            index += 1
            note = []
            while index < len(lines) and lines[index].startswith("   "):
                note.append(lines[index].strip())
                index += 1
            word = "New" if version.group("kind") == "versionadded" else "Changed"
            detail = f": {_inline(' '.join(note), hook_names)}" if note else ""
            output.append(f"*{word} in {version.group('version')}{detail}*")
            output.append("")
            continue
        if line.strip() == "*First result.*":
            index += 1
            continue
        if fields and not line.strip():
            output.extend(fields)
            fields = []
        output.append(_inline(line, hook_names))
        index += 1
    output.extend(fields)
    text = "\n".join(output)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def on_exception(hook: Hook, hook_names: set[str]) -> str:
    """The docstring's own words on what an exception in the hook does.

    That is its ``:raises`` fields, or else its paragraph starting with
    "An exception" or "Exceptions"; empty when it says nothing.
    """
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", hook.docstring)]
    raises = []
    for paragraph in paragraphs:
        for field in re.split(r"\n(?=:)", paragraph):
            match = re.match(r":raises ([^:]+):\s*(.*)", field, re.DOTALL)
            if match:
                raises.append(f":class:`~{match.group(1)}`: {match.group(2)}")
    if not raises:
        raises = [
            p for p in paragraphs if p.startswith(("An exception", "Exceptions"))
        ][:1]
    text = " ".join(" ".join(line.strip() for line in r.splitlines()) for r in raises)
    return _inline(text, hook_names)


# --------------------------------------------------------------------------
# The generated regions
# --------------------------------------------------------------------------


def render_table(hooks: list[Hook]) -> str:
    """The table of every hook: its group, how it is called, on exception."""
    names = {hook.name for hook in hooks}
    rows = [
        "| hook | calls | when it raises |",
        "| --- | --- | --- |",
    ]
    for hook in hooks:
        calls = "first result" if hook.is_first_result else "every plugin"
        cause = on_exception(hook, names).replace("|", "\\|")
        rows.append(f"| [`{hook.name}`](#{hook.name}) | {calls} | {cause} |")
    return "\n".join(rows)


def render_reference(hooks: list[Hook], examples: dict[str, str]) -> str:
    """One section per hook: signature, how it is called, docstring, example."""
    names = {hook.name for hook in hooks}
    parts: list[str] = []
    group = None
    for hook in hooks:
        if hook.group != group:
            group = hook.group
            parts.append(f"### {group}")
        calls = (
            "*First result*: implementations are asked in order until one "
            "returns something other than `None`; the rest are not called."
            if hook.is_first_result
            else "*Every plugin*: every implementation is called, in order."
        )
        section = [
            f"#### {hook.name}",
            f"```python\n{hook.signature}\n```",
            calls,
            docstring_to_markdown(hook.docstring, names),
        ]
        if hook.name in examples:
            section.append(f"Example:\n\n```python\n{examples[hook.name]}\n```")
        parts.append("\n\n".join(section))
    return "\n\n".join(parts)


def render_regions() -> dict[str, str]:
    """The content of each generated region of docs/plugins.md."""
    hooks = read_hooks()
    return {
        "hook table": render_table(hooks),
        "hook reference": render_reference(hooks, read_examples()),
    }


def _region_pattern(name: str) -> re.Pattern[str]:
    return re.compile(
        rf"(<!-- BEGIN GENERATED: {name} .*?-->\n)(?P<body>.*?)(\n<!-- END GENERATED: {name} -->)",
        re.DOTALL,
    )


def read_regions(document: str) -> dict[str, str]:
    """The generated regions as they stand in ``document``."""
    found = {}
    for name in REGIONS:
        match = _region_pattern(name).search(document)
        if match is None:
            raise ValueError(f"docs/plugins.md has no region {name!r}")
        found[name] = match.group("body")
    return found


def rebuild(document: str) -> str:
    """Return ``document`` with every generated region rewritten."""
    for name, body in render_regions().items():
        pattern = _region_pattern(name)
        if pattern.search(document) is None:
            raise ValueError(f"docs/plugins.md has no region {name!r}")
        document = pattern.sub(lambda m, b=body: m.group(1) + b + m.group(3), document)
    return document


def main(arguments: list[str]) -> int:
    """Rewrite docs/plugins.md, or with ``--check`` only say whether it is stale."""
    current = DOCUMENT.read_text(encoding="utf-8")
    wanted = rebuild(current)
    if "--check" in arguments:
        if wanted != current:
            print("docs/plugins.md is stale: run python docs/build_hook_reference.py")
            return 1
        return 0
    DOCUMENT.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
