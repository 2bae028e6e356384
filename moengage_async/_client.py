"""``MoEngageClient``: the public client, composed of the operation groups."""

from __future__ import annotations

from functools import cached_property

from .api._v1 import V1Operations
from .api._v5 import V5API
from .budgets._view import BudgetsMixin
from .jobs._bulk_create import BulkCreateOperations
from .jobs._bulk_status import BulkStatusOperations
from .jobs._coalesce import CoalescingOperations

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
    it for the life of an app and ``await client.aclose()`` at shutdown. V1
    operations are methods of the client; V5 ones live on ``client.v5`` and share
    its budgets, retries and session.
    """

    async def __aenter__(self) -> MoEngageClient:
        return self

    @cached_property
    def v5(self) -> V5API:
        """The V5 (draft-first) operations, sharing this client's budgets."""
        return V5API(self)
