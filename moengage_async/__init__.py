"""Asyncio-native MoEngage Campaigns API client with exact rolling-window budgets."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from ._client import MoEngageClient as MoEngageClient
from ._clock import Clock as Clock
from ._clock import FakeClock as FakeClock
from ._clock import MonotonicClock as MonotonicClock
from ._errors import APIError as APIError
from ._errors import AuthenticationError as AuthenticationError
from ._errors import BadRequestError as BadRequestError
from ._errors import ConflictError as ConflictError
from ._errors import ConnectError as ConnectError
from ._errors import MoEngageError as MoEngageError
from ._errors import NotFoundError as NotFoundError
from ._errors import PayloadValidationError as PayloadValidationError
from ._errors import PermissionDeniedError as PermissionDeniedError
from ._errors import RateLimitError as RateLimitError
from ._errors import RequestTimeoutError as RequestTimeoutError
from ._errors import ServerError as ServerError
from ._errors import TransportError as TransportError
from ._errors import UnprocessableEntityError as UnprocessableEntityError
from ._hooks import Hooks as Hooks
from ._hooks import RequestInfo as RequestInfo
from ._hooks import ThrottleInfo as ThrottleInfo
from .api._retry import RetryDetails as RetryDetails
from .api._retry import RetryPolicy as RetryPolicy
from .api._v5 import V5API as V5API
from .api._v5_search import CampaignSearch as CampaignSearch
from .api._v5_search import SearchStatistics as SearchStatistics
from .budgets._limiter import Limiter as Limiter
from .budgets._limiter import Permit as Permit
from .budgets._limiter import UnlimitedLimiter as UnlimitedLimiter
from .budgets._limiter import WindowUsage as WindowUsage
from .budgets._memory import MemoryLimiter as MemoryLimiter
from .budgets._policy import StaticShare as StaticShare
from .budgets._policy import WorkConserving as WorkConserving
from .budgets._redis import BudgetBackendError as BudgetBackendError
from .budgets._redis import RedisLimiter as RedisLimiter
from .budgets._redis import limiter_from_env as limiter_from_env
from .budgets._spec import DEFAULT_BUDGETS as DEFAULT_BUDGETS
from .budgets._spec import Budget as Budget
from .budgets._spec import Priority as Priority
from .budgets._spec import Window as Window
from .budgets._spec import budgets_from_env as budgets_from_env
from .budgets._spec import exactly as exactly
from .budgets._spec import parse_budgets as parse_budgets
from .budgets._view import BudgetView as BudgetView
from .jobs._bulk_status import BulkStatusReport as BulkStatusReport
from .jobs._bulk_status import StatusFailure as StatusFailure
from .jobs._create_items import BulkCreateReport as BulkCreateReport
from .jobs._create_items import CreateItemResult as CreateItemResult
from .jobs._create_items import CreateItemStatus as CreateItemStatus
from .jobs._journal import Journal as Journal
from .jobs._journal import JournalMismatchError as JournalMismatchError
from .jobs._plan import Plan as Plan
from .jobs._progress import Progress as Progress
from .models.v1 import StatusAction as StatusAction
from .transport._aiohttp import AiohttpTransport as AiohttpTransport
from .transport._aiohttp import Response as Response
from .transport._aiohttp import Transport as Transport
from .transport._aiohttp import new_session as new_session

try:
    __version__ = version("moengage-async")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "APIError",
    "AiohttpTransport",
    "AuthenticationError",
    "BadRequestError",
    "Budget",
    "BudgetBackendError",
    "BudgetView",
    "BulkCreateReport",
    "BulkStatusReport",
    "CampaignSearch",
    "Clock",
    "ConflictError",
    "ConnectError",
    "CreateItemResult",
    "CreateItemStatus",
    "DEFAULT_BUDGETS",
    "FakeClock",
    "Hooks",
    "Journal",
    "JournalMismatchError",
    "Limiter",
    "MemoryLimiter",
    "MoEngageClient",
    "MoEngageError",
    "MonotonicClock",
    "NotFoundError",
    "PayloadValidationError",
    "PermissionDeniedError",
    "Permit",
    "Plan",
    "Priority",
    "Progress",
    "RateLimitError",
    "RedisLimiter",
    "RequestInfo",
    "RequestTimeoutError",
    "Response",
    "RetryDetails",
    "RetryPolicy",
    "SearchStatistics",
    "ServerError",
    "StaticShare",
    "StatusAction",
    "StatusFailure",
    "ThrottleInfo",
    "Transport",
    "TransportError",
    "UnlimitedLimiter",
    "UnprocessableEntityError",
    "V5API",
    "Window",
    "WindowUsage",
    "WorkConserving",
    "__version__",
    "budgets_from_env",
    "exactly",
    "limiter_from_env",
    "new_session",
    "parse_budgets",
]
