"""``MoEngageClient``: the public client, composed of the operation groups."""

from __future__ import annotations

from ._budget_view import BudgetsMixin
from ._bulk_create import BulkCreateOperations
from ._bulk_status import BulkStatusOperations
from ._coalesce import CoalescingOperations
from ._v1 import V1Operations

__all__ = ["MoEngageClient"]


class MoEngageClient(
    BulkCreateOperations,
    V1Operations,
    BulkStatusOperations,
    CoalescingOperations,
    BudgetsMixin,
):
    """Async client for one MoEngage workspace, with exact rate limits built in.

    Use it as ``async with MoEngageClient(workspace_id, api_key) as client:`` or keep
    it for the life of an app and ``await client.aclose()`` at shutdown.
    """

    async def __aenter__(self) -> MoEngageClient:
        return self
