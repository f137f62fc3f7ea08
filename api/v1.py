"""/api/v1/: the dataset endpoints generated from the registry, imports, deletions, live ingestion.

Views parse and delegate: SQL in api.queries, streams in api.streaming,
imports in api.operations, ingestion in api.ingest, deletion in
explore.deletion. Every view opens the token user's `user_scope` itself.

django-ninja rather than DRF: typed request and response schemas from
pydantic give OpenAPI 3.1 and validation in one place, with far less
machinery; streaming is ours either way (a named cursor inside the scope).
"""

import datetime as dt
import logging

import orjson
from django.conf import settings
from django.http import Http404, HttpResponse, StreamingHttpResponse
from ninja import NinjaAPI, Query
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from api import auth, ingest, livefeeds, operations, queries, streaming
from api import scopes as scope_names
from api.datasets import ApiDataset, all_datasets
from api.problems import CONTENT_TYPE, Problem, from_problem, response
from api.schemas import (
    DeletionOut,
    ImportIn,
    ImportPage,
    ImportRunOut,
    IngestOut,
    ProblemOut,
    RangeIn,
    page_schema,
    query_schema,
    row_schema,
)
from core.rls import user_scope
from explore import deletion

log = logging.getLogger(__name__)
ERRORS = {code: ProblemOut for code in (400, 401, 403, 404, 405, 406, 409, 413, 422, 429, 500)}
STREAM_TYPES = ("application/x-ndjson", "text/csv", "application/geo+json")


class Bearer(HttpBearer):
    """Authorization: Bearer <token>, holding `scope`; api.auth does the work and raises the problems."""

    def __init__(self, scope: str | None):
        super().__init__()
        self.scope = scope

    def __call__(self, request):
        return auth.authenticate(request, self.scope)

    def authenticate(self, request, token):  # pragma: no cover - __call__ does it all
        return None


class Api(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Errors are application/problem+json, and list endpoints also stream their formats."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for methods in schema["paths"].values():
            for operation in methods.values():
                streams = operation.pop("x-streams", False) if isinstance(operation, dict) else False
                for code, answer in operation.get("responses", {}).items():
                    content = answer.get("content", {})
                    if int(code) >= 400 and "application/json" in content:
                        content[CONTENT_TYPE] = content.pop("application/json")
                    elif int(code) == 200 and streams:
                        for media in STREAM_TYPES:
                            content[media] = {"schema": {"type": "object" if "json" in media else "string"}}
        return schema


api = Api(title="Datapunk Lake API", version="1", urls_namespace="api-v1", docs_url="/docs",
          openapi_url="/openapi.json", description=(
              "Your lake's data, scoped by API token. Every list streams its whole selection with Accept: "
              "application/x-ndjson, text/csv or application/geo+json. Errors are RFC 9457 problem+json."))


@api.exception_handler(Problem)
def _problem(request, exc):
    return from_problem(exc)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    errors = [{"field": ".".join(str(p) for p in error.get("loc", ())[1:]) or str(error.get("loc", [""])[0]),
               "detail": error.get("msg", "")} for error in exc.errors]
    first = errors[0] if errors else {"field": "", "detail": "invalid request"}
    return response(400, f"{first['field']}: {first['detail']}", field=first["field"], errors=errors)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return response(401, "Send an API token: Authorization: Bearer dpl_…")


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return response(exc.status_code, str(exc))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return response(404, str(exc) or "Not found.")


@api.exception_handler(Exception)
def _server_error(request, exc):
    log.exception("API error on %s %s", request.method, request.path)
    return response(500, "The server failed to answer this request; it has been logged.")


def _json(data, status: int = 200) -> HttpResponse:
    return HttpResponse(orjson.dumps(data), status=status, content_type="application/json")


# --- datasets ------------------------------------------------------------------------------


def _format(request, asked: str | None, ds: ApiDataset) -> str:
    if asked is None:
        accept = request.headers.get("Accept", "")
        asked = next((fmt for media, fmt in streaming.ACCEPT.items() if media in accept), "json")
    if asked == "geojson" and not ds.located:
        raise Problem(406, f"{ds.path} has no coordinates: ask for NDJSON or CSV.")
    return asked


def _text_ok(value: str) -> bool:
    """PostgreSQL text holds no NUL, and nothing but valid UTF-8 (no lone surrogates)."""
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


def _filters(params) -> queries.Filters:
    values = params.model_dump()
    for name, value in values.items():
        if isinstance(value, str) and not _text_ok(value):
            raise Problem(400, f"{name} holds a character text cannot (NUL, or a lone surrogate).", field=name)
        if isinstance(value, dt.datetime) and value.tzinfo is None:  # a time without an offset is UTC
            values[name] = value.replace(tzinfo=dt.UTC)
    if values.get("since") and values.get("until") and values["until"] < values["since"]:
        raise Problem(400, "until is before since.", field="until")
    return queries.Filters(**{name: values.get(name) for name in queries.Filters.__dataclass_fields__})


def _dataset_routes(ds: ApiDataset) -> None:
    row = row_schema(ds)
    page = page_schema(ds, row)
    params_model = query_schema(ds)
    scope = scope_names.read_scope(ds.family)
    tag = ds.family

    def list_rows(request, params: Query[params_model]):
        filters = _filters(params)
        fmt = _format(request, params.format, ds)
        user_id = request.auth.user_id
        with user_scope(user_id):
            if fmt != "json":
                chosen = streaming.statement(fmt, ds, filters, cursor=params.cursor, after=params.after)
            else:
                rows, next_cursor = queries.page(ds, filters, limit=params.limit, cursor=params.cursor,
                                                 after=params.after)
                total = queries.count(ds, filters, params.count) if params.count else None
        if fmt != "json":
            answer = StreamingHttpResponse(streaming.body(fmt, user_id, ds, chosen),
                                           content_type=streaming.FORMATS[fmt])
            answer["X-Accel-Buffering"] = "no"  # a proxy must pass the stream on, not collect it
            return answer
        body = b'{"items":[' + ",".join(rows).encode() + b'],"next_cursor":' + orjson.dumps(next_cursor) \
            + b',"count":' + orjson.dumps(total) + b"}"
        return HttpResponse(body, content_type="application/json")

    def get_row(request, item_id: str):
        with user_scope(request.auth.user_id):
            found = queries.item(ds, item_id)
        if found is None:
            raise Problem(404, f"No such item in {ds.path}.")
        return HttpResponse(found, content_type="application/json")

    list_rows.__name__ = f"list_{ds.family}_{ds.name}"
    get_row.__name__ = f"get_{ds.family}_{ds.name}"
    api.get(f"/{ds.path}", response={200: page, **ERRORS}, auth=Bearer(scope), tags=[tag],
            summary=f"{ds.label}: a page, or the whole selection streamed",
            openapi_extra={"x-streams": True})(list_rows)
    api.get(f"/{ds.path}/{{item_id}}", response={200: row, **ERRORS}, auth=Bearer(scope), tags=[tag],
            summary=f"One of {ds.label.lower()}")(get_row)


for _ds in all_datasets():
    _dataset_routes(_ds)


# --- imports and deletions ------------------------------------------------------------------


@api.post("/imports", response={200: ImportRunOut, 201: ImportRunOut, **ERRORS},
          auth=Bearer(scope_names.WRITE_IMPORTS), tags=["imports"])
def start_import(request, body: ImportIn):
    """Import a batch of tus uploads (POST /uploads/tus/ with the same token). 201 when this started it."""
    run, created = operations.start_import(request.api_user, [str(u) for u in body.uploads])
    return (201 if created else 200), operations.run_dict(run)


@api.get("/imports", response={200: ImportPage, **ERRORS}, auth=Bearer(scope_names.WRITE_IMPORTS),
         tags=["imports"])
def list_imports(request, limit: int = Query(20, ge=1, le=100), cursor: str | None = Query(None, max_length=40)):
    before = None
    if cursor is not None:
        before = queries.decode(cursor, field="cursor", length=1)[0]
        if not isinstance(before, int):
            raise Problem(400, "cursor is not a value this API handed out.", field="cursor")
    runs, next_before = operations.list_runs(request.api_user, limit=limit, before=before)
    return {"items": [operations.run_dict(run) for run in runs],
            "next_cursor": queries.encode([next_before]) if next_before else None}


@api.get("/imports/{run_id}", response={200: ImportRunOut, **ERRORS}, auth=Bearer(scope_names.WRITE_IMPORTS),
         tags=["imports"])
def get_import(request, run_id: int):
    """Stage, counts per product, rejections with samples, notices."""
    return operations.run_dict(operations.get_run(request.api_user, run_id))


def _deletion(result) -> dict:
    return {"scope": result.scope, "deleted": result.deleted, "remaining": result.remaining,
            "verified": result.verified, "total": result.total, "notes": result.notes}


@api.delete("/imports/{run_id}", response={200: DeletionOut, **ERRORS}, auth=Bearer(scope_names.DELETE),
            tags=["imports"])
def delete_import(request, run_id: int):
    """Every row this run loaded, counted and verified gone."""
    operations.get_run(request.api_user, run_id)  # 404 for a run that is not hers
    with user_scope(request.api_user.pk):
        result = deletion.delete_import_run(request.api_user, run_id, request=request)
    return _deletion(result)


@api.post("/deletions", response={200: DeletionOut, **ERRORS}, auth=Bearer(scope_names.DELETE), tags=["imports"])
def delete_range(request, body: RangeIn):
    """Rows whose time falls on the UTC days from start to end, inclusive (undated things stay)."""
    if body.end < body.start:
        raise Problem(400, "end is before start.", field="end")
    if body.start < dt.date(1900, 1, 1) or body.end > dt.date(2200, 1, 1):
        raise Problem(422, "A range reaching before 1900 or past 2200: delete everything on the console "
                           "instead.", field="end")
    with user_scope(request.api_user.pk):
        result = deletion.delete_range(request.api_user, body.start, body.end, request=request)
    return _deletion(result)


# --- live ingestion -------------------------------------------------------------------------

_OWNTRACKS_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "oneOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}],
    "description": 'OwnTracks HTTP mode: {"_type": "location", "lat", "lon", "tst", ...} or an array of them.'}}}}}
_OVERLAND_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["locations"], "properties": {"locations": {"type": "array", "items": {
        "type": "object"}}}, "description": "Overland: GeoJSON Point features with properties."}}}}}


def _payload(request):
    if len(request.body) > settings.API_MAX_BODY_BYTES:
        raise Problem(413, f"Send at most {settings.API_MAX_BODY_BYTES} bytes per request.")
    try:
        return orjson.loads(request.body)
    except orjson.JSONDecodeError:
        raise Problem(400, "The body is not JSON.", field="body") from None


def _ingest(request, product: str) -> ingest.IngestResult:
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > settings.API_MAX_BODY_BYTES:
        raise Problem(413, f"Send at most {settings.API_MAX_BODY_BYTES} bytes per request.")
    try:
        return ingest.ingest(request.api_user, product, _payload(request))
    except livefeeds.BadPayload as error:
        raise Problem(400, str(error), field="body") from None


@api.post("/ingest/owntracks", response={200: list, **ERRORS}, auth=Bearer(scope_names.WRITE_INGEST),
          tags=["ingest"], openapi_extra=_OWNTRACKS_BODY)
def ingest_owntracks(request):
    """OwnTracks HTTP mode. Answers [] (the app expects an array); counts in Datapunk-Ingest."""
    result = _ingest(request, livefeeds.OWNTRACKS)
    answer = _json([])
    answer["Datapunk-Ingest"] = orjson.dumps(result.as_dict()).decode()
    return answer


@api.post("/ingest/overland", response={200: IngestOut, **ERRORS}, auth=Bearer(scope_names.WRITE_INGEST),
          tags=["ingest"], openapi_extra=_OVERLAND_BODY)
def ingest_overland(request):
    """Overland's batches. {"result": "ok"} tells the app to drop what it sent."""
    return {"result": "ok", **_ingest(request, livefeeds.OVERLAND).as_dict()}


# GET /api/v1/events (server-sent change events, `events` scope) is mounted beside these
# in api/urls.py (api/events.py): a streaming view, not a typed endpoint.
