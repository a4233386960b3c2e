"""Routes plugins add to the app: wired in, guarded on request, failures named."""

from __future__ import annotations

import pytest
from flask import Blueprint
from flask import jsonify

from gateway.errors import PluginError
from gateway.kit import hookimpl
from gateway.kit import require_api_key


class Counts:
    """Adds ``GET /counts/alarms``, behind the read API key."""

    def __init__(self, storage):
        self.storage = storage

    @hookimpl
    def gateway_register_routes(self, app):
        bp = Blueprint("counts", __name__, url_prefix="/counts")
        bp.before_request(require_api_key)

        @bp.get("/alarms")
        def count_alarms():
            return jsonify({"alarms": len(self.storage.alarms)})

        app.register_blueprint(bp)


class Broken:
    def __init__(self):
        self.shut_down = False

    @hookimpl
    def gateway_register_routes(self, app):
        raise RuntimeError("no routes today")

    @hookimpl
    def gateway_shutdown(self):
        self.shut_down = True


def test_plugin_route_behind_api_key_when_plugin_asks(make_app, memory_storage):
    app = make_app(
        {"gateway": {"plugins": "counts, memory"}, "api": {"keys": "reader-key-0001"}},
        plugins={"counts": Counts(memory_storage), "memory": memory_storage},
    )
    client = app.test_client()

    refused = client.get("/counts/alarms")
    allowed = client.get("/counts/alarms", headers={"X-API-Key": "reader-key-0001"})

    assert refused.status_code == 401
    assert allowed.get_json() == {"alarms": 0}


def test_plugin_route_failure_stops_start_and_closes_what_started(
    make_app, memory_storage
):
    broken = Broken()

    with pytest.raises(PluginError) as caught:
        make_app(
            {"gateway": {"plugins": "broken, memory"}},
            plugins={"broken": broken, "memory": memory_storage},
        )

    assert str(caught.value) == (
        "plugin 'broken' failed in gateway_register_routes: no routes today"
    )
    assert broken.shut_down
