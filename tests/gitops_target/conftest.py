"""Rendered estates and offline Kubernetes schemas (tests/kube_fixtures.py)."""

from tests.kube_fixtures import charts, k8s_schemas, rendered_estates

__all__ = ["charts", "k8s_schemas", "rendered_estates"]
