"""What the framework database makes of the SLIs: the metrics scrape left out, and the
environment a generic Python service needs."""

from __future__ import annotations

from pathlib import Path

from compiler.model import ResolvedService
from compiler.pipeline import load_estate
from tests.frameworks.truth_estate import App, write_estate

APPS = [
    App("fastapi", "fastapi", "python", scraped=True, source="python/fastapi_app.py"),
    App("django", "django", "python", scraped=True, source="python/django_app.py"),
    App("generic-python", "generic", "python", scraped=False, source="python/generic_app.py"),
    App("generic-go", "generic", "go", scraped=False, source="go/generic"),
]


def _services(tmp_path: Path, env: str) -> dict[str, ResolvedService]:
    model = load_estate(write_estate(tmp_path, APPS, {})).resolved.environments[env]
    return {s.name: s for s in model.services}


def test_the_scrape_of_the_metrics_endpoint_is_not_a_request(tmp_path: Path) -> None:
    services = _services(tmp_path, "direct")
    for name, excluded in (("fastapi-k", 'handler!="/metrics"'),
                           ("django-k", 'view!="prometheus-django-metrics"')):  # fmt: skip
        availability, latency = services[name].slos
        for query in (availability.sli.bad, availability.sli.total, latency.sli.bad):
            assert query.count(excluded) == query.count('service="'), (name, query)


def test_generic_python_services_ask_for_the_stable_http_conventions(tmp_path: Path) -> None:
    services = _services(tmp_path, "viacollector")
    python = dict(services["generic-python-c"].instrumentation.env)
    assert python["OTEL_SEMCONV_STABILITY_OPT_IN"] == "http"
    assert "OTEL_SEMCONV_STABILITY_OPT_IN" not in dict(services["generic-go-c"].instrumentation.env)
