"""``MoEngageClient``: the public client, a small object that owns its parts.

One ``Requestor`` (the request path), the ``v1`` and ``v5`` resources built on it,
and the jobs built on the resources. V1 operations are ``client.v1``'s methods, the
jobs' entry points one-call delegations (see docs/architecture.md).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import AsyncIterable, Callable, Iterable, Mapping
from types import TracebackType
from typing import (
    TYPE_CHECKING,
    Any,
    Concatenate,
    Generic,
    Literal,
    ParamSpec,
    TypeVar,
    overload,
)

from ._clock import Clock
from ._constants import DEFAULT_TIMEOUT_S
from ._errors import MoEngageError, PayloadValidationError
from ._hooks import Hooks
from .api import (
    OPERATIONS,
    USE_CLIENT_DEFAULT,
    V1API,
    V5API,
    RawResource,
    Requestor,
    RetryPolicy,
    check_bulk_arguments,
    check_campaign_id,
    check_client_arguments,
)
from .budgets import (
    Budget,
    BudgetOverrides,
    BudgetView,
    BulkPolicy,
    Limiter,
    Priority,
    StaticShare,
    parse_budgets,
)
from .jobs import (
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_QUOTA_WAIT_S,
    BulkCreateReport,
    BulkCreator,
    BulkStatusJob,
    BulkStatusReport,
    CoalescerStatistics,
    CreatorParts,
    Journal,
    OnResult,
    Plan,
    Planner,
    Progress,
    status_coalescer,
)
from .models.v1 import StatusAction
from .transport import DEFAULT_MAX_RESPONSE_BYTES

if TYPE_CHECKING:
    from ssl import SSLContext

    import aiohttp

    from .transport import Transport

__all__ = ["ENVIRONMENT", "MoEngageClient", "settings_from_env"]


P = ParamSpec("P")
R = TypeVar("R")


class _OnV1(Generic[P, R]):
    """A V1 operation as a client method: ``client.change_status`` is
    ``client.v1.change_status``, same signature and docstring.

    The bound method is stored on the client at first use (as ``cached_property``
    does), so later calls go straight to ``V1API``: no extra call per request. On
    the class, ``MoEngageClient.change_status`` is ``V1API.change_status``.
    """

    def __init__(self, operation: Callable[Concatenate[V1API, P], R]) -> None:
        self.operation = operation
        self.name = operation.__name__

    @overload
    def __get__(
        self, client: None, owner: object
    ) -> Callable[Concatenate[V1API, P], R]: ...
    @overload
    def __get__(self, client: MoEngageClient, owner: object) -> Callable[P, R]: ...
    def __get__(
        self, client: MoEngageClient | None, owner: object
    ) -> Callable[Concatenate[V1API, P], R] | Callable[P, R]:
        if client is None:
            return self.operation
        bound: Callable[P, R] = getattr(client.v1, self.name)
        client.__dict__[self.name] = bound
        return bound


#: The variables ``MoEngageClient.from_env`` (and the command) read.
ENVIRONMENT = (
    "MOENGAGE_WORKSPACE_ID",
    "MOENGAGE_API_KEY",
    "MOENGAGE_DATA_CENTER",
    "MOENGAGE_BUDGETS",
    "MOENGAGE_REDIS_URL",
    "MOENGAGE_BULK_SHARE",
)


def _env_text(environ: Mapping[str, str], name: str) -> str | None:
    return environ.get(name, "").strip() or None


def settings_from_env(
    environ: Mapping[str, str] | None = None,
    *,
    redis_url: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """``MoEngageClient`` keyword arguments from the environment and ``overrides``.

    The one reading of the ``MOENGAGE_*`` variables (``ENVIRONMENT``), shared by
    ``MoEngageClient.from_env`` and the command. An override that is not ``None``
    wins over its variable. With ``MOENGAGE_REDIS_URL`` (or ``redis_url``) and no
    ``limiter`` override, the settings hold a ``RedisLimiter`` with
    ``close_limiter=True``: the client closes it.

    Raises:
        PayloadValidationError: a missing workspace id or API key, or malformed
            budgets; the message names the variable, never its value.
        MoEngageError: a Redis URL without the ``redis`` extra installed.
    """
    env = os.environ if environ is None else environ
    settings = {k: v for k, v in overrides.items() if v is not None}
    for name, variable, what in (
        ("workspace_id", "MOENGAGE_WORKSPACE_ID", "workspace id"),
        ("api_key", "MOENGAGE_API_KEY", "API key"),
    ):
        value = settings.get(name) or _env_text(env, variable)
        if value is None:
            raise PayloadValidationError(
                f"missing {what}: pass {name}= or set {variable}"
            )
        settings[name] = value
    data_center = _env_text(env, "MOENGAGE_DATA_CENTER")
    if data_center is not None:
        settings.setdefault("data_center", data_center)
    if "limiter" in settings:
        return settings
    share = _env_text(env, "MOENGAGE_BULK_SHARE")
    if share is not None and not {"bulk_share", "bulk_policy"} & settings.keys():
        settings["bulk_share"] = _share_from_env(share)
    if "budgets" not in settings:
        text = _env_text(env, "MOENGAGE_BUDGETS")
        if text is not None:
            try:
                parse_budgets(text)
            except ValueError as exc:
                raise PayloadValidationError(f"MOENGAGE_BUDGETS: {exc}") from None
        # ``{}`` is the documented table: the client must not read os.environ
        # again when another ``environ`` was given.
        settings["budgets"] = text or {}
    url = redis_url or _env_text(env, "MOENGAGE_REDIS_URL")
    if url is not None:
        options: dict[str, Any] = {
            k: settings.pop(k)
            for k in ("bulk_share", "bulk_policy", "clock", "learn_limits")
            if k in settings
        }
        settings["limiter"] = _redis_limiter(url, settings.pop("budgets"), options)
        settings.setdefault("close_limiter", True)
    return settings


def _share_from_env(text: str) -> float:
    """``MOENGAGE_BULK_SHARE``: a fraction in (0, 1], else a typed error."""
    try:
        return StaticShare(float(text)).share  # its check: in (0, 1], not NaN
    except ValueError:
        raise PayloadValidationError(
            "MOENGAGE_BULK_SHARE must be a number in (0, 1], the share of each "
            "window bulk jobs may fill"
        ) from None


def _redis_limiter(
    url: str, budgets: BudgetOverrides, options: Mapping[str, Any]
) -> Limiter:
    """A ``RedisLimiter`` at ``url``; ``options``: the client's bulk policy, clock
    and ``learn_limits``."""
    try:
        from .budgets import RedisLimiter

        return RedisLimiter(url, budgets=budgets, **options)
    except ImportError:
        raise MoEngageError(
            "MOENGAGE_REDIS_URL needs the redis extra: "
            "pip install 'moengage-async[redis]'"
        ) from None
    except ValueError as exc:
        # The URL itself is never repeated: it may hold a password.
        reason = str(exc).replace(url, "<the URL>")
        raise PayloadValidationError(f"MOENGAGE_REDIS_URL: {reason}") from None


class MoEngageClient:
    """Async client for one MoEngage workspace, with exact rate limits built in.

    Use it as ``async with MoEngageClient(workspace_id, api_key) as client:`` or keep
    it for the life of an app and ``await client.aclose()`` at shutdown. V1
    operations are methods of the client (and of ``client.v1``); V5 ones live on
    ``client.v5``; both share its budgets, retries and session.

    Args:
        workspace_id: the workspace (formerly app id).
        api_key: the workspace's Campaigns API key; never logged.
        data_center: MoEngage data center number (``"01"`` to ``"06"``).
        base_url: another host (the sandbox, a proxy); overrides ``data_center``.
        session: an aiohttp session to share; the client never closes it.
        transport: a ``Transport`` instead of aiohttp (not with ``session``).
        limiter: a budget backend to share (a ``RedisLimiter`` across processes).
        close_limiter: close ``limiter`` in ``aclose()``; by default only a
            limiter the client made itself is closed.
        budgets: overrides of the documented budgets for the default limiter.
        bulk_share: a static share (0, 1] of each window bulk jobs may fill, the
            rest kept for interactive calls this client cannot see (a web app
            with its own limiter); ``StaticShare``.
        bulk_policy: how bulk jobs and interactive calls share the default
            limiter's windows. The default, ``WorkConserving()``, lends bulk
            work every slot interactive calls are not observed to need: a job
            alone uses the whole budget (docs/budgets.md).
        clock: the clock of deadlines, budgets and backoff (``FakeClock`` in tests).
        retry: the default ``RetryPolicy``.
        timeout: the default per-call deadline in seconds (``None``: none).
        hooks: telemetry callbacks.
        max_response_bytes: the cap on a response body, decompressed
            (``ResponseTooLargeError`` past it).
        proxy: a proxy URL for every request (else the proxy variables).
        trust_env: honour ``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY``.
        ssl, ca_bundle: an ``SSLContext``, or a PEM file of CAs, to verify TLS
            with instead of the system's CAs (not with ``session``).
        learn_limits: let the default limiter adopt a higher limit MoEngage
            reports in ``x-ratelimit-limit`` (docs/budgets.md); off, nothing
            loosens. With ``limiter=``, set it on the limiter.
    """

    def __init__(
        self,
        workspace_id: str,
        api_key: str,
        *,
        data_center: str = "01",
        base_url: str | None = None,
        session: aiohttp.ClientSession | None = None,
        transport: Transport | None = None,
        limiter: Limiter | None = None,
        close_limiter: bool | None = None,
        budgets: BudgetOverrides | None = None,
        bulk_share: float | None = None,
        bulk_policy: BulkPolicy | None = None,
        clock: Clock | None = None,
        retry: RetryPolicy | None = None,
        timeout: float | None = DEFAULT_TIMEOUT_S,
        hooks: Hooks | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        proxy: str | None = None,
        trust_env: bool = True,
        ssl: SSLContext | None = None,
        ca_bundle: str | os.PathLike[str] | None = None,
        learn_limits: bool = False,
    ) -> None:
        check_client_arguments(workspace_id, data_center, base_url, timeout)
        requestor = Requestor(
            workspace_id,
            api_key,
            data_center=data_center,
            base_url=base_url,
            session=session,
            transport=transport,
            limiter=limiter,
            close_limiter=close_limiter,
            budgets=budgets,
            bulk_share=bulk_share,
            bulk_policy=bulk_policy,
            clock=clock,
            retry=retry,
            timeout=timeout,
            hooks=hooks,
            max_response_bytes=max_response_bytes,
            proxy=proxy,
            trust_env=trust_env,
            ssl=ssl,
            ca_bundle=ca_bundle,
            learn_limits=learn_limits,
        )
        self._requestor = requestor
        #: The V1 operations (``/core-services/v1``).
        self.v1 = V1API(requestor)
        #: The V5 (draft-first) operations, sharing this client's budgets.
        self.v5 = V5API(requestor)
        clock = requestor.clock
        planner = Planner(requestor.limiter, requestor.workspace_id, clock)
        self._planner = planner
        self._bulk_status = BulkStatusJob(self.v1, self.v5, planner, clock)
        self._bulk_creator = BulkCreator(
            CreatorParts(self.v1, planner, clock, requestor.retry, requestor.timeout)
        )
        self._budgets = BudgetView(
            requestor.limiter,
            requestor.workspace_id,
            clock=clock,
            operations={name: op.budgets for name, op in OPERATIONS.items()},
        )
        self._coalescer = status_coalescer(
            self.v1, clock, budgets=self._budgets, timeout=requestor.timeout
        )

    @classmethod
    def from_env(
        cls,
        *,
        environ: Mapping[str, str] | None = None,
        redis_url: str | None = None,
        **overrides: Any,
    ) -> MoEngageClient:
        """A client configured from ``MOENGAGE_*`` variables, as the command is.

        Reads ``MOENGAGE_WORKSPACE_ID``, ``MOENGAGE_API_KEY``,
        ``MOENGAGE_DATA_CENTER`` (default ``"01"``), ``MOENGAGE_BUDGETS`` and
        ``MOENGAGE_REDIS_URL`` (a ``RedisLimiter`` the client owns and closes).
        ``overrides`` are any ``MoEngageClient`` keyword arguments; one that is
        not ``None`` wins over its variable. ``environ`` replaces ``os.environ``.

        Raises:
            PayloadValidationError: a missing workspace id or API key (naming the
                variable), or malformed ``MOENGAGE_BUDGETS``.
        """
        return cls(**settings_from_env(environ, redis_url=redis_url, **overrides))

    # -- lifetime -------------------------------------------------------------

    async def __aenter__(self) -> MoEngageClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the session (only if this client created it) and owned backends."""
        await self._coalescer.aclose()
        await self._budgets.aclose()
        await self._requestor.aclose()

    def __del__(self, _warn: Any = warnings.warn) -> None:
        requestor = getattr(self, "_requestor", None)
        if requestor is not None and requestor.unclosed_session:
            _warn(
                f"{self!r} was not closed; use 'async with' or 'await client.aclose()'",
                ResourceWarning,
                stacklevel=2,
            )

    def __repr__(self) -> str:
        requestor = self._requestor
        return (
            f"{type(self).__name__}(workspace_id={requestor.workspace_id!r}, "
            f"base_url={requestor.base_url!r})"
        )

    @property
    def workspace_id(self) -> str:
        """The workspace (formerly app id) this client acts for."""
        return self._requestor.workspace_id

    @property
    def base_url(self) -> str:
        """The host requests go to, without a trailing slash."""
        return self._requestor.base_url

    @property
    def clock(self) -> Clock:
        """The clock used for deadlines, budgets and backoff."""
        return self._requestor.clock

    @property
    def limiter(self) -> Limiter:
        """The budget backend every request passes through."""
        return self._requestor.limiter

    @property
    def transport(self) -> Transport:
        """The transport every attempt is sent through."""
        return self._requestor.transport

    @property
    def with_raw_response(self) -> RawResource:
        """The V1 operations (``client.change_status`` ...) returning a
        ``RawResponse``: ``client.v1.with_raw_response``."""
        return self.v1.with_raw_response

    @property
    def budgets(self) -> BudgetView:
        """This workspace's budgets: ``snapshot()``, and the non-blocking question
        ``try_reserve(op)`` (see docs/backpressure.md)."""
        return self._budgets

    # -- V1 operations: ``client.x`` is ``client.v1.x`` -------------------------

    create_campaign = _OnV1(V1API.create_campaign)
    update_campaign = _OnV1(V1API.update_campaign)
    search_campaigns = _OnV1(V1API.search_campaigns)
    test_campaign = _OnV1(V1API.test_campaign)
    personalized_preview = _OnV1(V1API.personalized_preview)
    campaign_meta = _OnV1(V1API.campaign_meta)
    change_status = _OnV1(V1API.change_status)
    child_campaigns = _OnV1(V1API.child_campaigns)
    update_global_control_group = _OnV1(V1API.update_global_control_group)

    # -- jobs: one line each, the work is in ``jobs/`` --------------------------

    async def bulk_change_status(
        self,
        action: StatusAction | str,
        campaign_ids: Iterable[str] | AsyncIterable[str],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        progress: Callable[[Progress], None] | None = None,
        priority: Priority = Priority.BULK,
        api_version: Literal[1, 5] = 1,
        collect_applied: bool = False,
        on_result: OnResult | None = None,
        journal: str | os.PathLike[str] | Journal | None = None,
        job_id: str | None = None,
        deduplicate: bool = True,
        timeout: float | None = USE_CLIENT_DEFAULT,
        retry: RetryPolicy | None = None,
    ) -> BulkStatusReport:
        """Change the status of every id, as fast as the ``status`` budget allows.

        See ``BulkStatusJob.run`` for the arguments and the report.
        """
        check_bulk_arguments(campaign_ids, priority, timeout)
        return await self._bulk_status.run(
            action,
            campaign_ids,
            concurrency=concurrency,
            progress=progress,
            priority=priority,
            api_version=api_version,
            collect_applied=collect_applied,
            on_result=on_result,
            journal=journal,
            job_id=job_id,
            deduplicate=deduplicate,
            timeout=timeout,
            retry=retry,
        )

    async def bulk_create(
        self,
        campaigns: Iterable[Any] | AsyncIterable[Any],
        *,
        job_id: str,
        journal: str | os.PathLike[str] | Journal | None = None,
        on_quota: Literal["wait", "stop"] = "wait",
        concurrency: int = 2,
        patience_s: float = 60.0,
        max_quota_wait_s: float = DEFAULT_MAX_QUOTA_WAIT_S,
        progress: Callable[[Progress], object] | None = None,
        priority: Priority = Priority.BULK,
        reuse_windows_s: Mapping[str, float] | None = None,
        tag_items: bool = True,
    ) -> BulkCreateReport:
        """Create every campaign once, however often the job is interrupted and rerun.

        See ``BulkCreator.run`` for the arguments and the report.
        """
        return await self._bulk_creator.run(
            campaigns,
            job_id=job_id,
            journal=journal,
            on_quota=on_quota,
            concurrency=concurrency,
            patience_s=patience_s,
            max_quota_wait_s=max_quota_wait_s,
            progress=progress,
            priority=priority,
            reuse_windows_s=reuse_windows_s,
            tag_items=tag_items,
        )

    @property
    def coalesce_linger(self) -> float:
        """Seconds a ``pause``/``resume``/``stop`` batch waits for company before it
        asks for a slot (0: none; batches form while the budget has no slot)."""
        return self._coalescer.linger_s

    @coalesce_linger.setter
    def coalesce_linger(self, seconds: float) -> None:
        self._coalescer.linger_s = seconds

    def coalescing_statistics(self) -> CoalescerStatistics:
        """Calls taken and requests sent by ``pause``/``resume``/``stop`` so far."""
        return self._coalescer.statistics()

    async def change_status_one(
        self, action: StatusAction | str, campaign_id: str
    ) -> None:
        """Change one campaign's status, sharing a request with concurrent callers.

        Raises this id's own error: a bad id in a shared batch fails only its
        caller (the batch is bisected to find it).
        """
        check_campaign_id(campaign_id)
        await self._coalescer.change_status(action, campaign_id)

    async def pause(self, campaign_id: str) -> None:
        """Pause one campaign (coalesced with concurrent calls)."""
        check_campaign_id(campaign_id)
        await self._coalescer.change_status(StatusAction.PAUSE, campaign_id)

    async def resume(self, campaign_id: str) -> None:
        """Resume one paused campaign (coalesced with concurrent calls)."""
        check_campaign_id(campaign_id)
        await self._coalescer.change_status(StatusAction.RESUME, campaign_id)

    async def stop(self, campaign_id: str) -> None:
        """Stop one campaign (coalesced with concurrent calls)."""
        check_campaign_id(campaign_id)
        await self._coalescer.change_status(StatusAction.STOP, campaign_id)

    def budgets_in_use(self) -> Mapping[str, Budget]:
        """The budgets the limiter enforces (the documented table if unknown)."""
        return self._planner.budgets_in_use()

    def bulk_share_for(self, priority: Priority) -> float:
        """The share of each window ``priority`` may fill (1 for interactive)."""
        return self._planner.bulk_share_for(priority)

    def plan_status_change(
        self, n_ids: int, *, api_version: int = 1, priority: Priority = Priority.BULK
    ) -> Plan:
        """Plan a bulk status change of ``n_ids`` campaigns; nothing is sent."""
        return self._planner.plan_status_change(
            n_ids, api_version=api_version, priority=priority
        )

    def plan_creation(
        self, n_items: int, *, api_version: int = 1, priority: Priority = Priority.BULK
    ) -> Plan:
        """Plan ``n_items`` creations (each one success under ``create_success``)."""
        return self._planner.plan_creation(
            n_items, api_version=api_version, priority=priority
        )
