"""The request pipeline and the aiohttp application.

Every API request takes the same path: uplink delay -> auth -> budgets (counted
on arrival) -> pre-faults -> decode/validate -> idempotency -> handler ->
post-faults -> ledger. ``/_sandbox/*`` control routes skip all of it.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

import msgspec
from aiohttp import web

from ..api import OPERATIONS, Operation
from ._calls import Call, Refusal, Reply
from ._checks import check_headers, check_schema
from ._envelopes import (
    data_api_rate_limited,
    v1_error,
    v1_rate_limited,
    v5_error,
    v5_rate_limited,
)
from ._fastpath import fast_valid
from ._faults import Fault
from ._ledger import RequestRecord
from ._state import RateLimitBody, SandboxState, StoredReply

__all__ = ["Handler", "SELF_VALIDATING", "build_app", "encode_reply"]

log = logging.getLogger("moengage_async.sandbox")

Handler = Callable[[SandboxState, Call], Reply]

#: Operations whose body schema depends on the stored campaign's channel; their
#: handlers validate (V1 update's discriminator is optional; V5 PATCH is a plain
#: ``oneOf`` of Push/Email patches, or the publish body).
SELF_VALIDATING = frozenset({"v1.update_campaign", "v5.update_draft"})
_SCOPE_SPLIT = re.compile(r"[\s,]+")

_encode = msgspec.json.encode
_decode = msgspec.json.decode
_JSON = "application/json"
_HTML_PAGE = (
    "<html><head><title>{status} {reason}</title></head><body>"
    "<center><h1>{status} {reason}</h1></center><hr><center>nginx</center>"
    "</body></html>"
)
_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
_REASONS[504] = "Gateway Timeout"


def _error_reply(
    op: Operation,
    ids: tuple[str | None, str],
    refusal: Refusal,
    shape: RateLimitBody = "native",
) -> Reply:
    request_id, response_id = ids
    if refusal.status == 429:
        return _rate_limited(op, ids, refusal.retry_after or 0.0, shape)
    if op.version == 1:
        body = v1_error(
            refusal.status,
            refusal.message,
            target=refusal.target,
            request_id=request_id,
            details=refusal.details,
        )
    else:
        body = v5_error(
            refusal.status,
            refusal.message,
            response_id=response_id,
            code=refusal.code,
            target=refusal.target,
            request_id=request_id,
            details=refusal.details,
        )
    return Reply(refusal.status, body)


def _rate_limited(
    op: Operation,
    ids: tuple[str | None, str],
    wait: float,
    shape: RateLimitBody = "native",
) -> Reply:
    if shape == "data_api":
        return Reply(429, data_api_rate_limited(ids[0]))
    if op.version == 1:
        return Reply(429, v1_rate_limited(ids[0]))
    return Reply(
        429, v5_rate_limited(ids[1], ids[0]), {"Retry-After": _retry_after(wait)}
    )


def encode_reply(reply: Reply) -> tuple[int, bytes | None, Mapping[str, str] | None]:
    """Status, encoded body and extra headers of a reply."""
    body = None if reply.body is None else _encode(reply.body)
    return reply.status, body, reply.headers


def _retry_after(wait: float) -> str:
    # Whole seconds when the wait is long; milliseconds for scaled-down windows.
    if wait >= 1.0:
        return str(math.ceil(wait))
    if wait <= 0.0:
        return "0"
    return f"{math.ceil(wait * 1000) / 1000:.3f}"


def _with_headers(reply: Reply, extra: Mapping[str, str] | None) -> Reply:
    if not extra:
        return reply
    return Reply(reply.status, reply.body, {**(reply.headers or {}), **extra})


class Pipeline:
    """Serves one operation through the full request path."""

    __slots__ = ("_handler", "_limit_budgets", "_op", "_request_budgets", "_state")

    def __init__(self, state: SandboxState, op: Operation, handler: Handler) -> None:
        self._state = state
        self._op = op
        self._handler = handler
        budgets = state.budgets
        self._request_budgets = tuple(
            b for b in op.budgets if b in budgets and not budgets[b].successes_only
        )
        #: What the x-ratelimit headers describe: every budget of the operation.
        self._limit_budgets = tuple(b for b in op.budgets if b in budgets)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        state = self._state
        op = self._op
        plan = state.plan
        fault = plan.draw()
        delay = plan.delay()
        if delay > 0:
            await state.clock.sleep(delay)
        raw = await request.read()
        headers = request.headers
        if fault is Fault.RESET:  # lost on the way in: never arrived
            self._record(None, None, headers, None, fault)
            return _drop(request)
        now = state.clock.now()
        body: Any = None
        body_error = False
        if raw:
            try:
                body = _decode(raw)
            except msgspec.DecodeError:
                body_error = True
        request_id = _body_request_id(body)
        header_rid = headers.get("X-MOE-Request-Id") if op.version == 5 else None
        response_id = header_rid or request_id or state.next_response_id()
        ids = (request_id, response_id)
        workspace = state.authenticate(
            headers.get("Authorization"), headers.get("MOE-APPKEY")
        )
        if workspace is None:
            reply = self._unauthorized(ids)
            self._record(None, now, headers, 401, Fault.NONE, request_id)
            return self._respond(reply)
        wait = state.counter.admit(workspace, self._request_budgets, now)
        ledger = state.ledger
        for name in self._request_budgets:
            ledger.record_budget(workspace, name, now, accepted=wait <= 0.0)
        if wait > 0.0:
            reply = _rate_limited(op, ids, wait, state.rate_limit_body)
            self._record(workspace, now, headers, 429, Fault.NONE, request_id)
            return self._respond(_with_headers(reply, self._signals(workspace, now)))
        if fault is Fault.ERROR or fault is Fault.HTML:
            status = plan.error_status()
            self._record(workspace, now, headers, status, fault, request_id)
            signals = self._signals(workspace, now)
            if fault is Fault.HTML:
                page = _HTML_PAGE.format(status=status, reason=_REASONS[status])
                return web.Response(
                    status=status, text=page, content_type="text/html", headers=signals
                )
            return self._respond(
                _with_headers(self._server_error(ids, status), signals)
            )
        scopes = headers.get("X-MOE-Scopes") if op.version == 5 else None
        call = Call(
            op,
            workspace,
            now,
            body,
            request.match_info,
            request_id,
            headers.get("Idempotency-Key"),
            response_id,
            None if scopes is None else tuple(_SCOPE_SPLIT.split(scopes.strip())),
        )
        reply = self._dispatch(
            call, raw, body_error, header_rid, headers.get("Content-Type")
        )
        reply = _with_headers(reply, self._signals(workspace, now))
        self._record(workspace, now, headers, reply.status, fault, request_id)
        if fault is Fault.LOST_REPLY:
            return _drop(request)
        if fault is Fault.TRUNCATE and reply.body is not None:
            status, data, extra = encode_reply(reply)
            assert data is not None
            return web.Response(
                status=status,
                body=data[: len(data) // 2],
                headers=extra,
                content_type=_JSON,
            )
        if fault is Fault.SLOW:
            return await self._slow(request, reply)
        return self._respond(reply)

    # -- pieces ----------------------------------------------------------------

    def _dispatch(
        self,
        call: Call,
        raw: bytes,
        body_error: bool,
        header_rid: str | None,
        content_type: str | None,
    ) -> Reply:
        state = self._state
        op = self._op
        ids = (call.request_id, call.response_id)
        # Keys are honoured where V5 documents them (not on GET/validate/preview).
        key = call.idempotency_key if op.idempotency_key else None
        slot = (call.workspace_id, key) if key else None
        # The concrete path: one key on two campaigns is two different requests.
        fingerprint = (_concrete_path(op, call), raw)
        if slot is not None:
            seen = state.idempotency.get(slot)
            if seen is not None:
                if seen.fingerprint == fingerprint:
                    return seen.reply
                status = 409 if op.name == "v5.test" else 400
                return _error_reply(
                    op,
                    ids,
                    Refusal(
                        status,
                        "Idempotency-Key was already used with a different body.",
                        target="Idempotency-Key",
                        code="BAD_REQUEST",
                    ),
                    state.rate_limit_body,
                )
        try:
            check_headers(op, call, raw, content_type, header_rid)
            if body_error:
                raise Refusal(400, "Request body is not valid JSON.", target="body")
            if (
                state.validate
                and op.name not in SELF_VALIDATING
                and not fast_valid(op.name, call.body)
            ):
                check_schema(op, call.body)
            reply = self._handler(state, call)
        except Refusal as refusal:
            reply = _error_reply(op, ids, refusal, state.rate_limit_body)
        except Exception:  # a sandbox bug: still answer the documented 500 shape
            log.exception("sandbox handler %s failed", op.name)
            return self._server_error(ids, 500)
        # A 429 or 5xx was not an answer to the request: a retry must run it.
        if slot is not None and reply.status < 500 and reply.status != 429:
            state.idempotency[slot] = StoredReply(fingerprint, reply)
        return reply

    def _signals(self, workspace: str, now: float) -> dict[str, str] | None:
        """The ``x-ratelimit-*`` headers: the operation's tightest window now."""
        state = self._state
        if not state.rate_limit_headers:
            return None
        found = state.counter.tightest(workspace, self._limit_budgets, now)
        if found is None:
            return None
        limit, remaining, reset = found
        if state.rate_limit_reset == "epoch":
            # Whole seconds, rounded up: MoEngage documents no finer form.
            reset_text = str(math.ceil(time.time() + reset))
        else:
            reset_text = _retry_after(reset)
        return {
            "x-ratelimit-limit": str(limit),
            "x-ratelimit-remaining": str(remaining),
            "x-ratelimit-reset": reset_text,
        }

    def _unauthorized(self, ids: tuple[str | None, str]) -> Reply:
        if self._op.version == 1:
            return Reply(
                401,
                {
                    "error": {
                        "code": "401 Authentication error",
                        "message": "Authentication required",
                        "details": [
                            {
                                "code": "InvalidValue",
                                "target": "APP_SECRET_KEY",
                                "message": "Invalid APP_SECRET_KEY is provided.",
                            }
                        ],
                        "request_id": ids[0] or "",
                    }
                },
            )
        return Reply(
            401,
            v5_error(
                401,
                "Invalid or missing credentials.",
                response_id=ids[1],
                request_id=ids[0],
            ),
        )

    def _server_error(self, ids: tuple[str | None, str], status: int) -> Reply:
        if self._op.version == 1:
            message = "Something went wrong. Please contact Moengage team"
            return Reply(status, v1_error(status, message, target=""))
        return Reply(
            status,
            v5_error(
                status, "Internal server error.", response_id=ids[1], request_id=ids[0]
            ),
        )

    def _respond(self, reply: Reply) -> web.Response:
        status, data, extra = encode_reply(reply)
        if data is None:
            return web.Response(status=status, headers=extra)
        return web.Response(status=status, body=data, headers=extra, content_type=_JSON)

    async def _slow(self, request: web.Request, reply: Reply) -> web.StreamResponse:
        status, data, extra = encode_reply(reply)
        data = data or b""
        response = web.StreamResponse(status=status, headers=extra)
        response.content_type = _JSON
        response.content_length = len(data)
        await response.prepare(request)
        steps = 5
        chunk = max(1, math.ceil(len(data) / steps))
        pause = self._state.plan.faults.slow_s / steps
        for start in range(0, max(len(data), 1), chunk):
            await self._state.clock.sleep(pause)
            await response.write(data[start : start + chunk])
        await response.write_eof()
        return response

    def _record(
        self,
        workspace: str | None,
        at: float | None,
        headers: Mapping[str, str],
        status: int | None,
        fault: Fault,
        request_id: str | None = None,
    ) -> None:
        state = self._state
        state.ledger.record_request(
            RequestRecord(
                self._op.name,
                workspace,
                state.clock.now() if at is None else at,
                status,
                request_id,
                headers.get("Idempotency-Key"),
                fault.value,
            )
        )


def _concrete_path(op: Operation, call: Call) -> str:
    path = op.path
    for name, value in call.path_params.items():
        path = path.replace("{" + name + "}", value)
    return path


def _body_request_id(body: Any) -> str | None:
    if isinstance(body, dict):
        value = body.get("request_id")
        if isinstance(value, str):
            return value
    return None


def _drop(request: web.Request) -> web.Response:
    transport = request.transport
    if transport is not None:
        transport.close()
    return web.Response(status=500)


def build_app(
    state: SandboxState,
    handlers: Mapping[str, Handler],
    control: Callable[[web.Application, SandboxState], None],
) -> web.Application:
    """The aiohttp application: one route per operation plus the control routes."""
    app = web.Application(handler_args={"max_field_size": 16384})
    control(app, state)
    for name, handler in handlers.items():
        op = OPERATIONS[name]
        app.router.add_route(op.method, op.path, Pipeline(state, op, handler).handle)
    app.router.add_route("*", "/{tail:.*}", _not_found)
    return app


async def _not_found(request: web.Request) -> web.Response:
    body = v1_error(404, f"No route for {request.method} {request.path}.")
    return web.json_response(body, status=404)
