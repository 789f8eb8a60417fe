"""The stack's own files of the alerts target: the collector-health rules and their test.

Named `obsc.stack` (compiler.output.links.STACK_NAME), which is no DNS label, so no service's
`rules/<service>.rules.yaml` can take the name. Rendered with the collector: an environment
without the collector target has no collector of obsc's to watch.
"""

from __future__ import annotations

from compiler.model import EnvironmentModel
from compiler.output.canonical import dump_yaml
from compiler.output.links import STACK_NAME
from compiler.render.contract import RenderedFiles
from targets.alerts.stack_rules import stack_rule_groups
from targets.alerts.stack_tests import stack_test_file

RULE_FILE = f"rules/{STACK_NAME}.rules.yaml"
TEST_FILE = f"tests/{STACK_NAME}.test.yaml"


def stack_files(model: EnvironmentModel) -> RenderedFiles:
    """The rule file and its promtool test, or nothing without the collector target."""
    if "collector" not in model.targets:
        return {}
    return {
        RULE_FILE: dump_yaml({"groups": stack_rule_groups(model)}),
        TEST_FILE: dump_yaml(stack_test_file(model, f"../{RULE_FILE}")),
    }
