"""Small things a person notices: how numbers read, wording, the favicon, the sign-in form,
the empty overview, and what "already there" means."""

import html
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from core.rls import user_scope
from imports.models import ImportRun

pytestmark = pytest.mark.django_db(databases=["default", "owner"])


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_counts_read_with_thousands_separators_on_every_page(alice):
    with user_scope(alice.pk):
        run = ImportRun.objects.create(
            user=alice, status=ImportRun.Status.SUCCEEDED, accepted=1234567, rejected=1200, duplicates=45000,
            products={"location.records": {"accepted": 1234567, "rejected": 1200, "duplicates": 45000,
                                           "first": None, "last": None}},
            rejections={"latitude_out_of_range": {"count": 1200, "samples": []}})
    client = signed_in(alice)
    report = client.get(reverse("imports:run", args=[run.pk])).content.decode()
    assert "1,234,567" in report and "45,000" in report and "1,200 records" in report
    assert "1234567" not in report
    listing = client.get(reverse("imports:list")).content.decode()
    assert "1,234,567" in listing and "1234567" not in listing
    assert "1,234,567" in client.get(reverse("home")).content.decode()


def test_the_rate_placeholder_reads_as_one_sentence(alice):
    with user_scope(alice.pk):
        run = ImportRun.objects.create(user=alice, status=ImportRun.Status.RUNNING, stage=ImportRun.Stage.LOADING)
    page = signed_in(alice).get(reverse("imports:run", args=[run.pk])).content.decode()
    text = re.sub(r"<[^>]+>", "", page)  # as read, across the spans
    assert "measuring speed" in text and "…." not in text


def test_every_page_names_its_favicon_and_it_exists(client):
    page = client.get(reverse("login")).content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page).group(1)
    assert icon == "/static/favicon.svg" and finders.find("favicon.svg")


def test_a_wrong_password_keeps_the_username(client, alice):
    page = client.post(reverse("login"), {"username": "alice", "password": "wrong"}).content.decode()
    assert "password didn't match" in html.unescape(page)
    assert re.search(r'<input type="text" name="username"[^>]*value="alice"', page)


def test_the_empty_overview_offers_the_upload(alice):
    page = signed_in(alice).get(reverse("home")).content.decode()
    assert "Your lake is empty" in page
    assert f'<a class="button" href="{reverse("uploads:new")}">Upload a Takeout export</a>' in page
