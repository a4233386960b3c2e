"""The OpenAPI description lists every route a client can call."""

from __future__ import annotations


def test_openapi_describes_every_public_route(client):
    spec = client.get("/docs/openapi.json").json

    assert spec["info"]["title"] == "AlarmHugger"
    assert {
        "/alarms/webhook",
        "/alarms/webhook/{route}",
        "/alarms",
        "/alarms/latest",
        "/alarms/{alarm_id}",
        "/deliveries",
        "/deliveries/{delivery_id}/retry",
        "/server/status-server",
    } <= set(spec["paths"])
    list_parameters = {p["name"] for p in spec["paths"]["/alarms"]["get"]["parameters"]}
    assert {"ticker", "since", "until", "q", "limit", "cursor"} <= list_parameters


def test_openapi_page_is_served(client):
    page = client.get("/docs/")

    assert page.status_code == 200
    assert b"swagger" in page.data.lower()
