# mypy: ignore-errors
# (an app of the SLI-truth test: it runs in the apps' own virtualenv, not obsc's)
"""django with django-prometheus, as its README sets it up, in one file.

Usage: django_app.py PORT.
"""

import sys
import time

from django.conf import settings

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    SECRET_KEY="sli-truth-test-only",
    INSTALLED_APPS=["django_prometheus"],
    MIDDLEWARE=[
        "django_prometheus.middleware.PrometheusBeforeMiddleware",
        "django_prometheus.middleware.PrometheusAfterMiddleware",
    ],
    LOGGING_CONFIG=None,
)

import django  # noqa: E402

django.setup()

from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.urls import include, path  # noqa: E402


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def fail(request: HttpRequest) -> HttpResponse:
    return HttpResponse("failed", status=500)


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


def slow(request: HttpRequest) -> HttpResponse:
    time.sleep(0.7)
    return HttpResponse("slow")


urlpatterns = [
    path("ok", ok),
    path("fail", fail),
    path("raise", boom),
    path("slow", slow),
    path("", include("django_prometheus.urls")),
]

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    execute_from_command_line(
        [sys.argv[0], "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{sys.argv[1]}"]
    )
