"""Sample plugins adding commands, for tests/test_plugin_commands.py."""

from __future__ import annotations

import click

from gateway.kit import hookimpl


class Clashing:
    """Adds a command named like a core one (``serve``), and a good one."""

    @hookimpl
    def gateway_register_commands(self, cli: click.Group) -> None:
        @cli.command("serve")
        def serve() -> None:
            click.echo("the plugin's serve")

        @cli.command("clash-ok")
        def clash_ok() -> None:
            click.echo("ok")


class Broken:
    """Fails while registering its commands."""

    @hookimpl
    def gateway_register_commands(self, cli: click.Group) -> None:
        raise RuntimeError("no commands today")
