"""django-rq's staff pages under our Content-Security-Policy.

Its queue pages carry one inline script (the job list's select-all) that our
nonce-only script-src blocks. Rather than loosen the policy anywhere, those
pages alone also allow that script by its SHA-256, computed from the installed
django-rq templates, so an upgrade that changes the script keeps working.
"""

import base64
import functools
import hashlib
import re
from pathlib import Path

from django.conf import settings
from django.views.decorators.csp import csp_override

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S)


@functools.cache
def inline_script_hashes() -> tuple[str, ...]:
    """CSP sources ('sha256-…') for every inline script of django-rq's templates."""
    import django_rq

    folder = Path(django_rq.__file__).parent / "templates"
    bodies = {match.group(1) for template in sorted(folder.rglob("*.html"))
              for match in _INLINE_SCRIPT.finditer(template.read_text(encoding="utf-8"))}
    # Templated scripts would render differently from their source: none are, and a hash of one
    # would simply not match (the browser blocks it, as before), never allow something else.
    return tuple(sorted(f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"
                        for body in bodies if "{%" not in body and "{{" not in body))


def with_rq_scripts(view):
    policy = {**settings.SECURE_CSP, "script-src": [*settings.SECURE_CSP["script-src"], *inline_script_hashes()]}
    return csp_override(policy)(view)


def urlpatterns() -> tuple[list, str]:
    """django-rq's URLs (same paths and names), its staff pages with the widened script-src."""
    from django_rq.urls import app_name, get_admin_urlpatterns, get_api_urlpatterns

    return get_api_urlpatterns() + get_admin_urlpatterns(view_wrapper=with_rq_scripts), app_name
