"""A newcomer with no METRICS_TOKEN learns it from /metrics, the health page
and `serve`; with a token set, the health page says so without showing it."""

import io

from console.management.commands.serve import Command as Serve

TOKEN = "s3cret-metrics-token"


def test_metrics_without_a_configured_token_says_how_to_set_one(client, settings):
    settings.METRICS_TOKEN = ""
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything")
    assert response.status_code == 401
    body = response.content.decode()
    assert "METRICS_TOKEN is not set on this server" in body
    assert "docker/.env" in body and "Authorization: Bearer" in body


def test_metrics_with_a_token_and_a_wrong_one_does_not_mention_configuration(client, settings):
    settings.METRICS_TOKEN = TOKEN
    body = client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").content.decode()
    assert "not set" not in body and "bearer token required" in body


def test_the_health_page_says_whether_a_token_is_configured(client, otto, settings):
    client.force_login(otto)
    settings.METRICS_TOKEN = ""
    page = client.get("/ops/").content.decode()
    assert "No metrics token is configured" in page and "METRICS_TOKEN" in page
    settings.METRICS_TOKEN = TOKEN
    page = client.get("/ops/").content.decode()
    assert "A metrics token is configured" in page and TOKEN not in page


def test_serve_prints_a_line_when_no_token_is_set(settings):
    settings.METRICS_TOKEN = ""
    out = io.StringIO()
    Serve(stdout=out).announce_settings()
    assert "METRICS_TOKEN is not set" in out.getvalue()
    settings.METRICS_TOKEN = TOKEN
    out = io.StringIO()
    Serve(stdout=out).announce_settings()
    assert "METRICS_TOKEN" not in out.getvalue()
