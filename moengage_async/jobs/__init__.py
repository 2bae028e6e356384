"""Jobs: bulk status, coalescing, bulk creation and planning, built on the resources.

The names below are what the other subpackages may use; the modules are private.
"""

from __future__ import annotations

from ._bulk_create import DEFAULT_MAX_QUOTA_WAIT_S as DEFAULT_MAX_QUOTA_WAIT_S
from ._bulk_create import BulkCreator as BulkCreator
from ._bulk_create import CreatorParts as CreatorParts
from ._bulk_status import DEFAULT_CONCURRENCY as DEFAULT_CONCURRENCY
from ._bulk_status import BulkStatusJob as BulkStatusJob
from ._bulk_status import OnResult as OnResult
from ._coalesce import DEFAULT_COALESCE_LINGER_S as DEFAULT_COALESCE_LINGER_S
from ._coalesce import Coalescer as Coalescer
from ._coalesce import CoalescerStatistics as CoalescerStatistics
from ._coalesce import status_coalescer as status_coalescer
from ._create_items import BulkCreateReport as BulkCreateReport
from ._create_items import CreateItemResult as CreateItemResult
from ._create_items import CreateItemStatus as CreateItemStatus
from ._journal import Journal as Journal
from ._journal import JournalMismatchError as JournalMismatchError
from ._plan import Plan as Plan
from ._plan import bulk_windows as bulk_windows
from ._plan import earliest_finish as earliest_finish
from ._plan import format_duration as format_duration
from ._plan import plan_requests as plan_requests
from ._plan import status_change_requests as status_change_requests
from ._planner import Planner as Planner
from ._progress import Progress as Progress
from ._status_results import BulkStatusReport as BulkStatusReport
from ._status_results import StatusFailure as StatusFailure
from ._status_results import StatusOutcome as StatusOutcome
from ._status_results import StatusResult as StatusResult

__all__ = [
    "BulkCreateReport",
    "BulkCreator",
    "BulkStatusJob",
    "BulkStatusReport",
    "Coalescer",
    "CoalescerStatistics",
    "CreateItemResult",
    "CreateItemStatus",
    "CreatorParts",
    "DEFAULT_COALESCE_LINGER_S",
    "DEFAULT_CONCURRENCY",
    "DEFAULT_MAX_QUOTA_WAIT_S",
    "Journal",
    "JournalMismatchError",
    "OnResult",
    "Plan",
    "Planner",
    "Progress",
    "StatusFailure",
    "StatusOutcome",
    "StatusResult",
    "bulk_windows",
    "earliest_finish",
    "format_duration",
    "plan_requests",
    "status_change_requests",
    "status_coalescer",
]
