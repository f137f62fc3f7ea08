"""Every date and text parameter of every view, fed edge values: the answer is
never a 500. Out-of-range dates and text PostgreSQL refuses (U+0000) get a 400
that says what to send instead.

Hypothesis drives the values; the known crashes are pinned as explicit examples.
"""

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

# Text as a person or a script might type it: any code point a URL can carry
# (surrogates cannot be encoded), NUL included, plus the edges of the date range.
_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
_edges = st.sampled_from(["", "0001-01-01", "9999-12-31", "0000-00-00", "10000-01-01", "\x00", "a\x00b",
                          "-1", "99999999999999999999999", "2024-02-30", " ", "%00", "1e309", "NaN"])
VALUES = st.one_of(_edges, st.dates().map(lambda d: d.isoformat()), _text)

# (persona, method, path, parameter names). Paths with {} take the value in the path.
CASES = [
    ("user", "get", "/lake/day/{}/", ()),
    ("user", "get", "/lake/day/", ("date",)),
    ("user", "get", "/lake/map/data", ("start", "end", "device", "bbox", "zoom")),
    ("user", "get", "/lake/search/", ("q", "product", "start", "end")),
    ("user", "get", "/lake/stats/", ("grain",)),
    ("user", "get", "/lake/export/download", ("format", "start", "end")),
    ("user", "post", "/lake/delete/", ("scope", "import_run", "start", "end", "confirm")),
    ("user", "get", "/imports/", ("page",)),
    ("admin", "get", "/audit/", ("action", "actor", "page")),
    ("admin", "post", "/lifecycle/run/", ("policy",)),
    ("admin", "post", "/lifecycle/policies/new/", ("name", "table", "archive_after_days", "delete_after_days",
                                                  "quarantine_days", "schedule")),
    ("ops", "get", "/ops/partitions/{}/", ()),
    ("ops", "get", "/ops/actions/vacuum/", ("target", "next")),
    ("ops", "post", "/ops/actions/vacuum/", ("target", "next", "confirm")),
    ("ops", "post", "/ops/partitions/{}/count-default/", ()),
    ("user", "post", "/lake/devices/{device}/", ("name",)),
]
FIXED = {"bbox": "2.2,48.8,2.5,48.95", "zoom": "10", "format": "ndjson", "scope": "range",
         "name": "location-year", "table": "timeseries.location_point", "archive_after_days": "365",
         "quarantine_days": "7", "schedule": "hourly", "confirm": "yes"}


def _ids(case):
    return f"{case[1]} {case[2]}"


@pytest.fixture
def personas(db, make_user):
    from core.rls import user_scope
    from sources.location.models import Device

    people = {"user": make_user("pat", "user"), "admin": make_user("ada", "admin"), "ops": make_user("oz", "ops")}
    with user_scope(people["user"].pk):
        people["device"] = Device.objects.create(user=people["user"], device_tag=1, name="Phone",
                                                 platform="ANDROID").pk
    return people


def _request(personas, case, value, target):
    response = _send(personas, case, value, target)
    if response.streaming:
        # Read a download to its end here, as a server would (the test client closes it
        # then): a streaming body left to the garbage collector ends its user scope at a
        # random moment, on a connection that may be running another query then.
        b"".join(response.streaming_content)
    return response


def _send(personas, case, value, target):
    persona, method, path, names = case
    client = Client()
    client.force_login(personas[persona])
    if "{}" in path:
        from urllib.parse import quote

        return getattr(client, method)(path.format(quote(value, safe="")))
    path = path.replace("{device}", str(personas["device"]))
    params = {name: FIXED.get(name, "") for name in names}
    # The delete form's confirmation is the person's own username.
    params.update({"confirm": "pat"} if path == "/lake/delete/" and target != "confirm" else {})
    params[target] = value
    if method == "post":
        return client.post(path, params)
    return client.get(path, params)


def _assert_answered(response):
    assert response.status_code < 500, response.content[:400]
    if response.status_code == 400:
        if response["Content-Type"].startswith("application/json"):
            assert json.loads(response.content)["errors"]
        else:
            # A sentence for the person, in the console's page, not a bare status.
            body = response.content.decode()
            assert "<main>" in body and ("." in body.split("<main>", 1)[1])


def _cases_with_targets():
    for case in CASES:
        for target in case[3] or ("path",):
            yield pytest.param(case, target, id=f"{_ids(case)} {target}")


@pytest.mark.parametrize(("case", "target"), list(_cases_with_targets()))
@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=VALUES)
@example(value="0001-01-01")
@example(value="9999-12-31")
@example(value="\x00")
def test_no_parameter_value_makes_a_view_fail(personas, case, target, value):
    _assert_answered(_request(personas, case, value, target))


@pytest.mark.parametrize("path", ["/lake/day/0001-01-01/", "/lake/day/9999-12-31/"])
def test_a_day_at_the_edge_of_the_calendar_is_a_400_with_a_sentence(personas, path):
    client = Client()
    client.force_login(personas["user"])
    response = client.get(path)
    assert response.status_code == 400
    assert "between" in response.content.decode()


@pytest.mark.parametrize(("path", "params"), [
    ("/lake/search/", {"q": "cafe", "start": "0001-01-01"}),
    ("/lake/search/", {"q": "cafe", "end": "9999-12-31"}),
    ("/lake/map/data", {"bbox": "2.2,48.8,2.5,48.95", "zoom": "10", "start": "0001-01-01"}),
    ("/lake/map/data", {"bbox": "2.2,48.8,2.5,48.95", "zoom": "10", "end": "9999-12-31"}),
    ("/lake/export/download", {"format": "csv", "end": "9999-12-31"}),
    ("/lake/export/download", {"format": "csv", "start": "0001-01-01"}),
])
def test_dates_past_the_calendar_edge_are_refused_with_the_range(personas, path, params):
    client = Client()
    client.force_login(personas["user"])
    response = client.get(path, params)
    assert response.status_code == 400
    assert "between 1900-01-01 and 2999-12-31" in response.content.decode()


def test_a_range_delete_past_the_calendar_edge_is_refused_with_the_range(personas):
    client = Client()
    client.force_login(personas["user"])
    response = client.post("/lake/delete/", {"scope": "range", "start": "0001-01-01", "end": "9999-12-31",
                                             "confirm": "pat"})
    assert response.status_code == 400
    assert "between 1900-01-01 and 2999-12-31" in response.content.decode()


def test_a_nul_in_the_audit_filter_is_a_400_with_a_sentence(personas):
    client = Client()
    client.force_login(personas["admin"])
    response = client.get("/audit/", {"action": "\x00"})
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()


# JSON as a script might send it: numbers past every range, NaN and Infinity
# (which Python's json module accepts), wrong types, NULs in names.
_json_scalar = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
                         st.floats(allow_nan=True, allow_infinity=True), _text, _edges)
_json_file = st.fixed_dictionaries({"name": _json_scalar, "size": _json_scalar})


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.lists(_json_file, max_size=3))
@example(files=[{"name": "takeout.zip", "size": float("inf")}])
@example(files=[{"name": "a\x00.zip", "size": 10**30}])
def test_no_upload_batch_body_makes_the_endpoint_fail(personas, files):
    client = Client()
    client.force_login(personas["user"])
    body = json.dumps({"files": files})  # json.dumps writes NaN/Infinity as Python's json reads them
    response = client.post("/uploads/batches/", body, content_type="application/json")
    assert response.status_code < 500, response.content[:400]
    if response.status_code >= 400:
        assert json.loads(response.content)["error"]


def _b64(text):
    import base64

    return base64.b64encode(text.encode("utf-8", "surrogatepass")).decode()


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(length=VALUES, name=VALUES, filetype=VALUES, batch=VALUES)
@example(length="9999999999999999999", name="a\x00.zip", filetype="\x00", batch="\x00")
@example(length="10", name="takeout.zip", filetype="application/zip", batch="99999999999999999999999")
def test_no_tus_creation_header_makes_the_endpoint_fail(personas, length, name, filetype, batch):
    client = Client()
    client.force_login(personas["user"])
    metadata = f"filename {_b64(name)},filetype {_b64(filetype)},batch {_b64(batch)}"
    response = client.post("/uploads/tus/", HTTP_TUS_RESUMABLE="1.0.0", HTTP_UPLOAD_LENGTH=length,
                           HTTP_UPLOAD_METADATA=metadata)
    assert response.status_code < 500, response.content[:400]


@pytest.mark.parametrize(("persona", "method", "path"), [
    ("user", "get", "/imports/runs/{}/"), ("user", "get", "/imports/runs/{}/status"),
    ("user", "get", "/lake/devices/{}/"), ("user", "get", "/uploads/batches/{}/"),
    ("user", "post", "/uploads/batches/{}/discard"), ("admin", "get", "/lifecycle/policies/{}/"),
    ("admin", "post", "/lifecycle/policies/{}/delete/"), ("admin", "get", "/lifecycle/archives/{}/"),
    ("admin", "post", "/lifecycle/archives/{}/restore/"),
])
@pytest.mark.parametrize("number", ["0", "9223372036854775807", "9223372036854775808", "9" * 40])
def test_ids_past_every_integer_range_are_not_found(personas, persona, method, path, number):
    client = Client()
    client.force_login(personas[persona])
    response = getattr(client, method)(path.format(number))
    assert response.status_code in (302, 404), response.content[:400]
