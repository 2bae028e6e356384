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
from ._errors import MalformedResponseError as MalformedResponseError
from ._errors import MoEngageError as MoEngageError
from ._errors import NotFoundError as NotFoundError
from ._errors import PayloadValidationError as PayloadValidationError
from ._errors import PermissionDeniedError as PermissionDeniedError
from ._errors import RateLimitError as RateLimitError
from ._errors import RedirectError as RedirectError
from ._errors import RequestTimeoutError as RequestTimeoutError
from ._errors import ResponseTooLargeError as ResponseTooLargeError
from ._errors import ServerError as ServerError
from ._errors import TransportError as TransportError
from ._errors import UnprocessableEntityError as UnprocessableEntityError
from ._hooks import AttemptInfo as AttemptInfo
from ._hooks import CallInfo as CallInfo
from ._hooks import CallResult as CallResult
from ._hooks import Hooks as Hooks
from ._hooks import RequestInfo as RequestInfo
from ._hooks import ThrottleInfo as ThrottleInfo
from .api import V5API as V5API
from .api import CampaignSearch as CampaignSearch
from .api import RawResponse as RawResponse
from .api import RetryDetails as RetryDetails
from .api import RetryPolicy as RetryPolicy
from .api import SearchStatistics as SearchStatistics
from .budgets import DEFAULT_BUDGETS as DEFAULT_BUDGETS
from .budgets import Budget as Budget
from .budgets import BudgetBackendError as BudgetBackendError
from .budgets import BudgetExhausted as BudgetExhausted
from .budgets import BudgetView as BudgetView
from .budgets import Limiter as Limiter
from .budgets import MemoryLimiter as MemoryLimiter
from .budgets import Permit as Permit
from .budgets import Priority as Priority
from .budgets import RedisLimiter as RedisLimiter
from .budgets import Reservation as Reservation
from .budgets import StaticShare as StaticShare
from .budgets import UnlimitedLimiter as UnlimitedLimiter
from .budgets import Window as Window
from .budgets import WindowUsage as WindowUsage
from .budgets import WorkConserving as WorkConserving
from .budgets import budgets_from_env as budgets_from_env
from .budgets import exactly as exactly
from .budgets import limiter_from_env as limiter_from_env
from .budgets import parse_budgets as parse_budgets
from .jobs import BulkCreateReport as BulkCreateReport
from .jobs import BulkStatusReport as BulkStatusReport
from .jobs import CreateItemResult as CreateItemResult
from .jobs import CreateItemStatus as CreateItemStatus
from .jobs import Journal as Journal
from .jobs import JournalMismatchError as JournalMismatchError
from .jobs import Plan as Plan
from .jobs import Progress as Progress
from .jobs import StatusFailure as StatusFailure
from .jobs import StatusOutcome as StatusOutcome
from .jobs import StatusResult as StatusResult
from .models.v1 import StatusAction as StatusAction
from .transport import AiohttpTransport as AiohttpTransport
from .transport import Response as Response
from .transport import Transport as Transport
from .transport import new_session as new_session

try:
    __version__ = version("moengage-async")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "APIError",
    "AiohttpTransport",
    "AttemptInfo",
    "AuthenticationError",
    "BadRequestError",
    "Budget",
    "BudgetBackendError",
    "BudgetExhausted",
    "BudgetView",
    "BulkCreateReport",
    "BulkStatusReport",
    "CallInfo",
    "CallResult",
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
    "MalformedResponseError",
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
    "RawResponse",
    "RedirectError",
    "RedisLimiter",
    "RequestInfo",
    "RequestTimeoutError",
    "Reservation",
    "Response",
    "ResponseTooLargeError",
    "RetryDetails",
    "RetryPolicy",
    "SearchStatistics",
    "ServerError",
    "StaticShare",
    "StatusAction",
    "StatusFailure",
    "StatusOutcome",
    "StatusResult",
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
