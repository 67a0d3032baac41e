from functools import cache

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def trivial(request):
    """The floor: Django's middleware and nothing else, to compare real pages with."""
    return HttpResponse("ok", content_type="text/plain")


@cache
def _empty_page():
    return engines["django"].from_string(
        '{% extends "base.html" %}{% block title %}空白页{% endblock %}'
    )


@login_required
def frame(request):
    """The frame every logged-in page pays and nothing else: an empty page extending base.html
    (bench/frame_bench.py)."""
    return HttpResponse(_empty_page().render({}, request))


urlpatterns = [
    path("bench/trivial/", trivial),
    path("bench/frame/", frame, name="bench_frame"),
    *site_urlpatterns,
]
