"""Bearer tokens on the tus endpoint, and problem+json for every error under /api/."""

import logging

from api import auth
from api.problems import CONTENT_TYPE, Problem, from_problem, response
from api.scopes import WRITE_IMPORTS

log = logging.getLogger(__name__)
TUS_PREFIX = "/uploads/tus/"


class BearerUploadsMiddleware:
    """`Authorization: Bearer` with write:imports stands for a session on the tus endpoint.

    Uploads sit below the API and know nothing of tokens; here the token's
    user becomes the request's user, and CSRF (a browser's problem, not a
    script's bearer header) is not asked of it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(TUS_PREFIX) and auth.bearer(request) is not None \
                and request.method != "OPTIONS":
            try:
                auth.authenticate(request, WRITE_IMPORTS)
            except Problem as problem:
                return from_problem(problem)
            request.user = request.api_user
            request._dont_enforce_csrf_checks = True
        return self.get_response(request)


class ApiProblemMiddleware:
    """Under /api/ no error is an HTML page: Django's own 404/405/500 become problem+json."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        answer = self.get_response(request)
        if not request.path.startswith("/api/") or answer.status_code < 400 \
                or answer.get("Content-Type", "").startswith(CONTENT_TYPE):
            return answer
        problem = response(answer.status_code, _DETAILS.get(answer.status_code, "The request failed."))
        for header in ("Allow", "Retry-After"):
            if header in answer:
                problem[header] = answer[header]
        return problem

    def process_exception(self, request, exception):
        if not request.path.startswith("/api/"):
            return None
        log.exception("API error on %s %s", request.method, request.path)
        return response(500, "The server failed to answer this request; it has been logged.")


_DETAILS = {404: "No such endpoint; the list is at /api/v1/docs.", 405: "This endpoint does not take that method.",
            500: "The server failed to answer this request; it has been logged."}
