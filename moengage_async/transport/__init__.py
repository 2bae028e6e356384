"""Transport: how one HTTP attempt reaches MoEngage (aiohttp, deadline timers).

The names below are what the other subpackages may use; the modules are private.
"""

from __future__ import annotations

from ._aiohttp import DEFAULT_MAX_RESPONSE_BYTES as DEFAULT_MAX_RESPONSE_BYTES
from ._aiohttp import AiohttpTransport as AiohttpTransport
from ._aiohttp import Response as Response
from ._aiohttp import Transport as Transport
from ._aiohttp import fixed_headers as fixed_headers
from ._aiohttp import header_map as header_map
from ._aiohttp import new_session as new_session

__all__ = [
    "AiohttpTransport",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "Response",
    "Transport",
    "fixed_headers",
    "header_map",
    "new_session",
]
