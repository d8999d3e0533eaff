"""Who is asking: the acting principal every service call carries, and the roles it may hold.

A principal is a workbench user (by browser session or API token), the person at the terminal (the
CLI acts as the workspace's configured actor, with every role), or the system itself (cycles,
replays, the demo's clock). Reads and writes are checked against it in the services, never in the
web or the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from forewarn.errors import Forbidden


class Role(StrEnum):
    """What an account may do; each role may do everything the ones before it may."""

    VIEWER = "viewer"  # read everything
    ANALYST = "analyst"  # + ingest documents, raise warnings, manage scenarios and entities
    DUTY_OFFICER = "duty_officer"  # + acknowledge, dispose of and escalate warnings
    ADMIN = "admin"  # + accounts and tokens of others

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class PrincipalKind(StrEnum):
    USER = "user"  # a workbench account, by browser session
    TOKEN = "token"  # a workbench account, by API token
    LOCAL = "local"  # the person at the terminal: the workspace's configured actor
    SYSTEM = "system"  # forewarn itself: cycles, replays, the demo clock


@dataclass(frozen=True, slots=True)
class Principal:
    """Who an action or a read is for: the name recorded in the ledger, and the role checked."""

    name: str
    role: Role
    kind: PrincipalKind

    @classmethod
    def local(cls, actor: str) -> Principal:
        return cls(actor, Role.ADMIN, PrincipalKind.LOCAL)

    @classmethod
    def system(cls, name: str) -> Principal:
        """forewarn itself, recording under ``name`` (the configured actor): cycles, watch, replays."""
        return cls(name, Role.ADMIN, PrincipalKind.SYSTEM)

    def may(self, role: Role) -> bool:
        return self.role.allows(role)

    def require(self, role: Role, what: str) -> None:
        """Forbidden unless the principal holds ``role`` or above; ``what`` says what it was trying to do."""
        if not self.may(role):
            raise Forbidden(f"{self.name} is a {self.role.label}; to {what} needs {role.label} or above")
