"""Where the overlay's mounts, volumes and secrets point, seen from the compose project.

Compose resolves the relative paths of every `-f` file against the project directory, the
directory of the first file: the user's compose file. Rendered files are therefore
addressed from there (`<root>/rendered/<env>/...`, where `root` leads back to the
repository), and secrets from there too (`./obs-secrets/...`, beside the user's file).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from compiler.model import EnvironmentModel, SecretRef
from targets.compose import names

Mount = dict[str, object]


@dataclass(frozen=True, slots=True)
class Secret:
    """An Alertmanager credential: a file the user provides, mounted where the config reads it."""

    name: str
    key: str

    @property
    def id(self) -> str:
        """The compose secret's name (a secretRef name has no dot, so `.` separates)."""
        return f"{self.name}.{self.key}"

    @property
    def file(self) -> str:
        """The file on the host, relative to the compose project directory."""
        return f"./{names.SECRETS_DIR}/{self.name}/{self.key}"

    def mount(self) -> Mount:
        """The service-level entry: the secret at the path alertmanager.yaml reads."""
        return {
            "source": self.id,
            "target": f"{names.ALERTMANAGER_SECRETS_MOUNT}/{self.name}/{self.key}",
        }


def alertmanager_secrets(model: EnvironmentModel) -> tuple[Secret, ...]:
    """Every secret the Alertmanager config reads: receivers' and the SMTP relay's."""
    refs: list[SecretRef | None] = [r.secret_ref for r in model.alerting.receivers]
    if model.alerting.email is not None:
        refs.append(model.alerting.email.secret_ref)
    return tuple(sorted({Secret(r.name, r.key) for r in refs if r is not None}, key=_order))


def _order(secret: Secret) -> tuple[str, str]:
    return (secret.name, secret.key)


@dataclass(frozen=True, slots=True)
class Layout:
    """Paths of one environment's overlay, and the files it may mount."""

    root: str
    environment: str
    rendered: Collection[str]  # "<target>/<path>" of this environment
    networks: tuple[str, ...]
    user_services: tuple[str, ...] | None
    secrets: tuple[Secret, ...]

    def source(self, rendered_path: str) -> str:
        """`rendered/<env>/<rendered_path>` as compose resolves it from the project dir."""
        prefix = "." if self.root == "." else self.root
        return f"{prefix}/{names.RENDERED_DIR}/{self.environment}/{rendered_path}"

    def is_rendered(self, rendered_path: str) -> bool:
        """Whether a file, or a directory with files, is rendered at `rendered_path`."""
        directory = rendered_path.rstrip("/") + "/"
        return any(p == rendered_path or p.startswith(directory) for p in self.rendered)

    def bind(self, rendered_path: str, target: str) -> Mount:
        """A read-only bind mount of a rendered file or directory (ValueError if absent)."""
        if not self.is_rendered(rendered_path):
            raise ValueError(f"nothing rendered at {rendered_path} to mount at {target}")
        return {
            "type": "bind",
            "source": self.source(rendered_path),
            "target": target,
            "read_only": True,
        }

    def bind_if_rendered(self, rendered_path: str, target: str) -> list[Mount]:
        """The bind mount when something is rendered there (a rules directory may be empty)."""
        return [self.bind(rendered_path, target)] if self.is_rendered(rendered_path) else []

    @staticmethod
    def host_bind(path: str, target: str) -> Mount:
        """A read-only bind mount of an absolute host path."""
        return {"type": "bind", "source": path, "target": target, "read_only": True}

    @staticmethod
    def volume(component: str, target: str) -> Mount:
        """A named volume for a component's data, prefixed so as not to meet the user's."""
        return {"type": "volume", "source": volume_name(component), "target": target}

    @staticmethod
    def secret_path(file: str) -> str:
        """A file the user provides, relative to the compose project directory."""
        return f"./{names.SECRETS_DIR}/{file}"

    def has_user_service(self, name: str) -> bool:
        """Whether the overlay may address service `name` (it exists in the user's file)."""
        return self.user_services is None or name in self.user_services


def volume_name(component: str) -> str:
    """The named volume of a component's data."""
    return f"obs-{component}-data"
