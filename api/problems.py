"""RFC 9457 problem details: every error under /api/ is one of these, never HTML."""

import orjson
from django.http import HttpResponse

CONTENT_TYPE = "application/problem+json"

_TITLES = {
    400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
    406: "Not acceptable", 409: "Conflict", 413: "Content too large", 415: "Unsupported media type",
    422: "Unprocessable content", 429: "Too many requests", 500: "Internal server error",
}


class Problem(Exception):
    """Raise from anywhere in an API request: it becomes a problem+json response.

    `extra` adds members (RFC 9457 extensions): "field" for a bad parameter,
    "scope" for the missing scope, "errors" for several.
    """

    def __init__(self, status: int, detail: str, *, headers: dict | None = None, **extra):
        super().__init__(detail)
        self.status, self.detail, self.headers, self.extra = status, detail, headers or {}, extra


def response(status: int, detail: str, *, headers: dict | None = None, **extra) -> HttpResponse:
    body = {"type": "about:blank", "title": _TITLES.get(status, "Error"), "status": status, "detail": detail,
            **extra}
    answer = HttpResponse(orjson.dumps(body), status=status, content_type=CONTENT_TYPE)
    if status == 401:
        answer["WWW-Authenticate"] = 'Bearer realm="datapunk-lake"'
    for name, value in (headers or {}).items():
        answer[name] = value
    return answer


def from_problem(problem: Problem) -> HttpResponse:
    return response(problem.status, problem.detail, headers=problem.headers, **problem.extra)
