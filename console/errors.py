"""The console's error pages: what went wrong and what to do, in the base template.

Registered as Django's handler400/403/404/500 in datalake.urls.
"""

import logging

from django.core.exceptions import BadRequest
from django.http import HttpResponseBadRequest
from django.template import loader

logger = logging.getLogger(__name__)


def bad_request(request, exception):
    # Our own BadRequest carries a sentence for the person; Django's other
    # SuspiciousOperations (a bad Host header, say) may carry configuration
    # details, so they get the generic one.
    message = str(exception) if type(exception) is BadRequest and str(exception) else (
        "The request could not be understood. Go back and try again.")
    return HttpResponseBadRequest(loader.render_to_string("errors/400.html", {"message": message}, request))
