"""Counts on the ops pages read like everywhere else in the console: exact, with thousands separators."""

from django.template import Context, Template


def test_the_count_filter_groups_thousands_like_intcomma():
    rendered = Template("{% load ops humanize %}{{ n|count }} {{ n|intcomma }} {{ small|count }} {{ none|count }}")
    assert rendered.render(Context({"n": 1234567, "small": 42, "none": None})) == "1,234,567 1,234,567 42 0"
