"""The resolver renders each framework metric under the name it has on the environment's path.

The rule itself is tested in tests/output/test_metric_names.py.
"""

from __future__ import annotations

from compiler.pipeline import load_estate
from tests.conftest import ROOT


def test_django_rules_name_the_metric_as_each_path_stores_it() -> None:
    """dev renders compose (the collector scrapes), prod helm (Prometheus scrapes)."""
    environments = load_estate(ROOT).resolved.environments
    dev, prod = environments["dev"].service("invoicing"), environments["prod"].service("invoicing")
    assert dev is not None and prod is not None and dev.framework == "django"
    assert dev.metrics.request_metric == "django_http_responses_by_status_view_method_total"
    assert prod.metrics.request_metric == "django_http_responses_total_by_status_view_method_total"
    assert "django_http_responses_by_status_view_method_total{" in dev.slos[0].sli.total
    assert "django_http_responses_total_by_status_view_method_total{" in prod.slos[0].sli.total
