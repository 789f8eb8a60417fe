"""Offline Kubernetes schemas (tests/kube_fixtures.py)."""

from tests.kube_fixtures import k8s_schemas

__all__ = ["k8s_schemas"]
