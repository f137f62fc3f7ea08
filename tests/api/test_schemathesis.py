"""The whole OpenAPI document, fuzzed against the app in-process by schemathesis: no 500, and every
response (status, content type, headers, body) as the document says. Alice holds a token with every
scope and a lake with one row in every dataset; Bob's lake is there too.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api import scopes

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


# Loaded at collection from the app itself (the document needs no database).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # In-process, within the test's transaction: like django.test.Client, keep the handler from
    # closing the connection at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def everything_token(lakes, token_for, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000  # the fuzzer outruns any per-minute limit
    return token_for(lakes[0], ",".join(scopes.all_scopes()))


@pytest.mark.django_db(databases=["default", "owner"])
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_answers_every_generated_request_as_documented(case, everything_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {everything_token}"}, checks=CHECKS)
