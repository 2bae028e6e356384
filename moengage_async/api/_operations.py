"""The operation table: method, path, budgets and header rules of each endpoint."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .._constants import V1_PREFIX

__all__ = ["OPERATIONS", "Operation"]


@dataclass(frozen=True, slots=True)
class Operation:
    """One endpoint. ``path`` may hold ``{campaign_id}``-style placeholders."""

    name: str
    method: str
    path: str
    budgets: tuple[str, ...]
    version: Literal[1, 5]
    #: V5 sends an ``Idempotency-Key`` on every POST/PATCH but validate and preview.
    idempotency_key: bool = False


_CREATE = ("create_requests", "create_success")


def _v1(name: str, method: str, path: str, *budgets: str) -> Operation:
    return Operation(f"v1.{name}", method, V1_PREFIX + path, budgets, 1)


def _v5(
    name: str, method: str, path: str, *budgets: str, key: bool = True
) -> Operation:
    return Operation(f"v5.{name}", method, path, budgets, 5, idempotency_key=key)


OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in (
        _v1("create_campaign", "POST", "/campaigns", *_CREATE),
        _v1("update_campaign", "PATCH", "/campaigns/{campaign_id}", "update"),
        _v1("search_campaigns", "POST", "/campaigns/search", "search"),
        _v1("test_campaign", "POST", "/campaigns/test", "test"),
        _v1("personalized_preview", "POST", "/personalization/preview", "preview"),
        _v1("campaign_meta", "POST", "/campaigns/meta", "meta"),
        _v1("change_status", "POST", "/campaigns/status", "status"),
        _v1(
            "child_campaigns",
            "POST",
            "/campaigns/{parent_campaign_id}/executions",
            "executions",
        ),
        _v1("update_global_control_group", "PUT", "/global-control-group/users", "gcg"),
        _v5("create_draft", "POST", "/v5/campaigns", *_CREATE),
        _v5("get_campaign", "GET", "/v5/campaigns/{campaign_id}", "get", key=False),
        _v5("update_draft", "PATCH", "/v5/campaigns/{campaign_id}", "update"),
        _v5("publish", "PATCH", "/v5/campaigns/{campaign_id}", "update"),
        _v5(
            "validate",
            "POST",
            "/v5/campaigns/{campaign_id}/validate",
            "validate",
            key=False,
        ),
        _v5("change_status", "PATCH", "/v5/campaigns/{campaign_id}/status", "status"),
        # One source documents POST (docs/api-notes.md C1): tried once, only when
        # PATCH gets 405.
        _v5(
            "change_status_post", "POST", "/v5/campaigns/{campaign_id}/status", "status"
        ),
        _v5("search", "POST", "/v5/campaigns/search", "search"),
        _v5("meta", "POST", "/v5/campaigns/meta", "meta"),
        _v5("test", "POST", "/v5/campaigns/test", "test"),
        _v5(
            "personalized_preview",
            "POST",
            "/v5/personalization/preview",
            "preview",
            key=False,
        ),
    )
}
