"""Small formatting filters for the health pages."""

import datetime as dt
import functools

from django import template
from django.urls import reverse
from django.utils import timezone

from monitoring.checks import _ago, _pct

register = template.Library()


@register.filter
def duration(seconds):
    """Seconds as "42 s", "7 min", "3 h", "5 days"; None as "never"."""
    return _ago(seconds)


@register.filter
def since(when):
    """How long ago a datetime was, or "never"."""
    if not when:
        return "never"
    if isinstance(when, dt.timedelta):
        return _ago(when.total_seconds())
    return _ago((timezone.now() - when).total_seconds()) + " ago"


@register.filter
def page_url(name):
    """The URL of a health page by its url name (memoized: the overview links 44 times)."""
    return _reverse(name)


@functools.lru_cache(maxsize=64)
def _reverse(name):
    return reverse(name)


@register.filter
def pct(value):
    return _pct(value)


@register.filter
def count(value):
    """Counts as every page of the console shows them: whole, with thousands separators."""
    from django.contrib.humanize.templatetags.humanize import intcomma

    return intcomma(round(float(value or 0)))
