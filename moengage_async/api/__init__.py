"""The API: the requestor (the one request path) and the V1 and V5 resources.

The names below are what the other subpackages may use; the modules are private.
"""

from __future__ import annotations

from ._arguments import check_bulk_arguments as check_bulk_arguments
from ._arguments import check_campaign_id as check_campaign_id
from ._arguments import check_client_arguments as check_client_arguments
from ._operations import OPERATIONS as OPERATIONS
from ._operations import Operation as Operation
from ._requestor import USE_CLIENT_DEFAULT as USE_CLIENT_DEFAULT
from ._requestor import Requestor as Requestor
from ._requestor import check_request_id as check_request_id
from ._requestor import new_request_id as new_request_id
from ._resource import RawResource as RawResource
from ._resource import RawResponse as RawResponse
from ._retry import RetryDetails as RetryDetails
from ._retry import RetryPolicy as RetryPolicy
from ._v1 import V1API as V1API
from ._v1_checks import MAX_PAGE_LIMIT as MAX_PAGE_LIMIT
from ._v1_checks import Payload as Payload
from ._v5 import V5API as V5API
from ._v5_search import CampaignSearch as CampaignSearch
from ._v5_search import SearchStatistics as SearchStatistics

__all__ = [
    "CampaignSearch",
    "MAX_PAGE_LIMIT",
    "OPERATIONS",
    "Operation",
    "Payload",
    "RawResource",
    "RawResponse",
    "Requestor",
    "RetryDetails",
    "RetryPolicy",
    "SearchStatistics",
    "USE_CLIENT_DEFAULT",
    "V1API",
    "V5API",
    "check_bulk_arguments",
    "check_campaign_id",
    "check_client_arguments",
    "check_request_id",
    "new_request_id",
]
