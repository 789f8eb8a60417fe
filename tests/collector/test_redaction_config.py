"""The redaction transform as config: policies combined, gated, fail closed, sampled first.

The behaviour itself is proven in the real collector (test_redaction_run.py); these tests
pin the structure that behaviour rests on, without a collector.
"""

from __future__ import annotations

from compiler.model import CustomPattern, RedactionPolicy, SecretPattern, SecretRef
from targets.collector.ottl import literal
from targets.collector.patterns import BUILTIN, ORDER
from targets.collector.redaction import (
    DEFAULT_REPLACEMENT,
    MARKER,
    SIGNAL_CONTEXTS,
    combine,
    transform_config,
)
from tests.collector.reference import redact_text


def _policy(name: str, patterns: tuple[str, ...], **kw: object) -> RedactionPolicy:
    return RedactionPolicy(
        name=name,
        patterns=patterns,
        custom=kw.get("custom", ()),  # type: ignore[arg-type]
        secret_patterns=kw.get("secrets", ()),  # type: ignore[arg-type]
        drop_attributes=kw.get("drops", ()),  # type: ignore[arg-type]
        replacement=str(kw.get("replacement", DEFAULT_REPLACEMENT)),
    )


LIGHT = _policy("light", ("phone",), replacement="<phone>", drops=("a",))
STRICT = _policy(
    "strict",
    ("credit_card", "email"),
    custom=(CustomPattern(name="tok", regex="tok_[a-z]{8}"),),
    secrets=(SecretPattern(name="k", secret_ref=SecretRef(name="leaked", key="api-key")),),
    drops=("b", "a"),
)


def test_policies_combine_into_one_pass_in_the_documented_order() -> None:
    combined = combine([LIGHT, STRICT])
    assert combined.patterns == ("email", "credit_card", "phone")
    assert combined.patterns == tuple(n for n in ORDER if n in combined.patterns)
    assert combined.custom == (SecretRef(name="leaked", key="api-key"), "tok_[a-z]{8}")
    assert combined.drop_attributes == ("a", "b")
    # Different replacement texts: the default one.
    assert combined.replacement == DEFAULT_REPLACEMENT
    assert combine([LIGHT]).replacement == "<phone>"


def test_a_lighter_and_a_stricter_policy_leave_no_part_of_a_card() -> None:
    """Stacked, `phone` ran first and masked the card's last three groups only."""
    card = "4111 0811 1111 1116"
    stacked = redact_text(redact_text(card, ["phone"], (), "X"), ["credit_card"], (), "X")
    assert stacked == "4111 X"  # the bug this guards against
    combined = combine([LIGHT, STRICT])
    assert redact_text(card, combined.patterns, (), "X") == "X"


def _statements(config: dict[str, object], key: str, context: str) -> list[str]:
    groups = config[key]
    assert isinstance(groups, list)
    return [s for g in groups if g["context"] == context for s in g["statements"]]


def test_one_statement_sequence_per_context_with_cards_before_phone() -> None:
    config = transform_config([LIGHT, STRICT])
    log = _statements(config, "log_statements", "log")
    card = next(i for i, s in enumerate(log) if "IsValidLuhn" in s)
    phone = next(i for i, s in enumerate(log) if literal(BUILTIN["phone"].regex) in s)
    assert card < phone
    # Each pattern replaces in each place once, not once per policy.
    email = literal(BUILTIN["email"].regex)
    assert sum(email in s and "replace_pattern(log.body" in s for s in log) == 1


def test_redaction_fails_closed_and_is_gated() -> None:
    config = transform_config([STRICT])
    assert config["error_mode"] == "propagate"
    for key, contexts in SIGNAL_CONTEXTS.items():
        groups = config[key]
        assert isinstance(groups, list)
        assert {g["context"] for g in groups} == {c.name for c in contexts}
        for group in groups:
            assert "error_mode" not in group  # the processor's propagate applies
        gated = [g for g in groups if "conditions" in g]
        assert len(gated) == len(contexts)  # every context's redaction is gated
        for context in contexts:
            (group,) = (g for g in gated if g["context"] == context.name)
            if context.marker is None:
                assert group["conditions"][0].startswith("IsMatch(Concat([")
            else:
                assert group["conditions"] == [f'{context.marker}["{MARKER}"] != nil']
                # The mark carries the record's text over; then it goes.
                mark = f'{context.marker}["{MARKER}"]'
                assert group["statements"][:2] == [
                    f'set(cache["t"], {mark})',
                    f'delete_key({context.marker}, "{MARKER}")',
                ]


def test_a_policy_without_patterns_only_drops() -> None:
    config = transform_config([_policy("drops", (), drops=("x",))])
    log = config["log_statements"]
    assert isinstance(log, list)
    assert all("conditions" not in g for g in log)
    drop = 'delete_key(log.attributes, "x") where log.attributes["x"] != nil'
    assert drop in _statements(config, "log_statements", "log")


def test_kubernetes_scopes_container_logs_by_workload_not_container() -> None:
    from compiler.pipeline import validate
    from targets.collector import collector_config
    from targets.collector.settings import CollectorSettings
    from tests.conftest import FIXTURES

    estate, _ = validate(FIXTURES / "redaction", False)
    model = estate.resolved.environments["dev"]
    config = collector_config(model, CollectorSettings(platform="kubernetes"))
    text = str(config)
    receivers = config["receivers"]
    assert isinstance(receivers, dict)
    operators = receivers["file_log/containers"]["operators"]
    assert not [op for op in operators if op.get("to") == 'resource["service.name"]']
    processors = config["processors"]
    assert isinstance(processors, dict)
    labels = processors["k8s_attributes"]["extract"]["labels"]
    assert labels == [
        {"tag_name": "app.kubernetes.io/name", "key": "app.kubernetes.io/name", "from": "pod"}
    ]
    identity = processors["transform/identity"]["log_statements"][0]["statements"]
    assert identity[0].startswith(
        'set(resource.attributes["service.name"], resource.attributes["app.kubernetes.io/name"])'
    )
    assert 'resource.attributes["k8s.deployment.name"]' in identity[1]
    assert 'resource["k8s.container.name"] in' in text  # parsing only


def test_the_first_look_splits_class_leads_except_on_short_texts() -> None:
    """Log records and spans look for cards with five digit-led expressions (Go's regexp
    jumps between a literal's occurrences); a datapoint, whose text is a few attribute
    values, keeps one class-led expression: over a few dozen bytes a pass over every byte
    costs less than five more calls."""
    config = transform_config([_policy("all", ORDER)])
    looks = {}
    for key, contexts in SIGNAL_CONTEXTS.items():
        for context in contexts:
            if context.marker is None:
                continue
            head = f'set({context.marker}["{MARKER}"], cache["t"]) where '
            groups = [g for g in config[key] if g["context"] == context.name]  # type: ignore[attr-defined]
            (look,) = (s for s in groups[0]["statements"] if s.startswith(head))
            looks[context.name] = look
    for name in ("log", "span", "spanevent"):
        assert 'IsMatch(cache["t"], "2(?:[ -]?[0-9]){12,18}\\\\b")' in looks[name]
        assert "[A-Z](?:" in looks[name] and "2-6]" not in looks[name]
    assert '"2(?:' not in looks["datapoint"]
    assert 'IsMatch(cache["t"], "[BbA-Z2-6](?:' in looks["datapoint"]
