"""Who may see what: bearer-token authentication, the access policy, and the audit trail.

See shared/auth/README.md for how a service protects a route, docs/access-model.md for the
model itself."""

from shared.auth.access import Access, AccessControl, AccessRefused, ServiceAuth, guard
from shared.auth.audit import AuditEntry, AuditLog
from shared.auth.policy import (
    ACTIONS,
    ERASURE_REPORT_READERS,
    POLICY,
    Action,
    ActionRule,
    ActionSpec,
    DataKind,
    Decision,
    Grant,
    PlatformAction,
    Resource,
    Visibility,
    decide,
    register,
)
from shared.auth.principal import DEFAULT_SCOPES, INCIDENTS_WRITE, Principal, Role
from shared.auth.settings import AuthSettings
from shared.auth.tokens import (
    InvalidToken,
    ProductionKeyConfigured,
    TokenVerifier,
    mint_development_token,
)

__all__ = [
    "ACTIONS",
    "DEFAULT_SCOPES",
    "ERASURE_REPORT_READERS",
    "INCIDENTS_WRITE",
    "POLICY",
    "Access",
    "AccessControl",
    "AccessRefused",
    "Action",
    "ActionRule",
    "ActionSpec",
    "AuditEntry",
    "AuditLog",
    "AuthSettings",
    "DataKind",
    "Decision",
    "Grant",
    "InvalidToken",
    "PlatformAction",
    "Principal",
    "ProductionKeyConfigured",
    "Resource",
    "Role",
    "ServiceAuth",
    "TokenVerifier",
    "Visibility",
    "decide",
    "guard",
    "mint_development_token",
    "register",
]
