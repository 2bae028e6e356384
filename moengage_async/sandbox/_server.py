"""``Sandbox``: a local MoEngage Campaigns server, in process or standalone."""

from __future__ import annotations

import base64
import sys
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .._clock import Clock, MonotonicClock
from ..budgets import BudgetOverrides, resolve_budgets
from ._app import Handler, build_app
from ._control import add_control_routes
from ._faults import FaultPlan, Faults, parse_faults
from ._ledger import Ledger
from ._state import SandboxState
from ._store import Campaign

if TYPE_CHECKING:
    from .._client import MoEngageClient

__all__ = ["Sandbox", "serve"]


def _handlers() -> Mapping[str, Handler]:
    from ._routes_v1 import V1_HANDLERS
    from ._routes_v5 import V5_HANDLERS

    return {**V1_HANDLERS, **V5_HANDLERS}


def _require_jsonschema() -> None:
    try:
        import jsonschema  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the sandbox validates bodies with jsonschema: "
            "pip install 'moengage-async[sandbox]' (or pass validate=False)"
        ) from None


class Sandbox:
    """A faithful in-memory MoEngage Campaigns server on loopback.

    ``async with Sandbox() as sandbox:`` serves on a free port; point a client at it
    with ``sandbox.client()``. Budgets are counted on arrival, per workspace,
    exactly; faults are drawn from ``random.Random(seed)``.
    """

    def __init__(
        self,
        *,
        budgets: BudgetOverrides | None = None,
        faults: Faults | str | None = None,
        clock: Clock | None = None,
        seed: int = 0,
        workspace_id: str = "SANDBOX_WS",
        api_key: str = "sandbox-key",
        host: str = "127.0.0.1",
        port: int = 0,
        validate: bool = True,
        gcg_job_s: float = 1.0,
    ) -> None:
        if validate:
            _require_jsonschema()
        if isinstance(faults, str):
            faults = parse_faults(faults)
        self._faults = faults or Faults()
        self._host = host
        self._port = port
        self._seed = seed
        self._state = SandboxState(
            budgets=resolve_budgets(budgets),
            plan=FaultPlan(self._faults, seed),
            clock=clock or MonotonicClock(),
            credentials={workspace_id: api_key},
            default_workspace=workspace_id,
            seed=seed,
            validate=validate,
            gcg_job_s=gcg_job_s,
        )
        self._workspace_id = workspace_id
        self._api_key = api_key
        self._runner: web.AppRunner | None = None
        self._url: str | None = None

    # -- lifetime ---------------------------------------------------------------

    async def start(self) -> None:
        """Bind and start serving (idempotent)."""
        if self._runner is not None:
            return
        app = build_app(self._state, _handlers(), add_control_routes)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._port, reuse_address=True)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        host, port = runner.addresses[0][:2]
        self._port = port
        shown = f"[{host}]" if ":" in host else host
        self._url = f"http://{shown}:{port}"

    async def aclose(self) -> None:
        """Stop serving; the ledger and state stay readable."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"Sandbox(url={self._url!r}, workspace_id={self._workspace_id!r})"

    # -- where and who ------------------------------------------------------------

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``: the base URL for ``MoEngageClient``."""
        if self._url is None:
            raise RuntimeError("the sandbox is not started; use 'async with Sandbox()'")
        return self._url

    @property
    def port(self) -> int:
        """The bound port (the one asked for until started)."""
        return self._port

    @property
    def workspace_id(self) -> str:
        """The default workspace's id."""
        return self._workspace_id

    @property
    def api_key(self) -> str:
        """The default workspace's API key."""
        return self._api_key

    def add_workspace(self, workspace_id: str, api_key: str) -> None:
        """Accept another workspace's credentials (budgets are per workspace)."""
        self._state.credentials[workspace_id] = api_key

    def auth_headers(self, *, version: int = 1) -> dict[str, str]:
        """Headers a raw HTTP call needs (V5: ``Idempotency-Key`` not included)."""
        token = base64.b64encode(
            f"{self._workspace_id}:{self._api_key}".encode()
        ).decode("ascii")
        headers = {
            "Authorization": f"Basic {token}",
            "MOE-APPKEY": self._workspace_id,
            "Content-Type": "application/json",
        }
        if version == 5:
            headers["X-MOE-Tenant-ID"] = self._workspace_id
        return headers

    def client(self, **kwargs: Any) -> MoEngageClient:
        """A ``MoEngageClient`` for this sandbox; ``kwargs`` go to the client."""
        from .._client import MoEngageClient

        kwargs.setdefault("base_url", self.url)
        workspace_id = kwargs.pop("workspace_id", self._workspace_id)
        api_key = kwargs.pop("api_key", self._state.credentials[workspace_id])
        return MoEngageClient(workspace_id, api_key, **kwargs)

    # -- state ---------------------------------------------------------------------

    @property
    def ledger(self) -> Ledger:
        """Everything accepted, applied and refused, for assertions."""
        return self._state.ledger

    @property
    def state(self) -> SandboxState:
        """The sandbox's internals (campaign store, counters, caches)."""
        return self._state

    @property
    def faults(self) -> Faults:
        """The faults being injected."""
        return self._faults

    def set_faults(self, faults: Faults | str | None) -> None:
        """Change the faults from now on (the random stream restarts from the seed)."""
        if isinstance(faults, str):
            faults = parse_faults(faults)
        self._faults = faults or Faults()
        self._state.plan = FaultPlan(self._faults, self._seed)

    def campaign(self, campaign_id: str) -> Campaign:
        """The stored campaign; ``KeyError`` when unknown."""
        found = self._state.store.get(campaign_id)
        if found is None:
            raise KeyError(campaign_id)
        return found

    def seed_executions(
        self, parent_id: str, n: int, *, status: str = "Sent"
    ) -> list[str]:
        """Give a parent ``n`` child runs (V1 executions); return the child ids."""
        parent = self.campaign(parent_id)
        ids = []
        for _ in range(n):
            child = self._state.store.new_id()
            day = parent.created_date
            parent.executions.append(
                {"campaign_id": child, "sent_time": f"{day} 08:00:00", "status": status}
            )
            ids.append(child)
        return ids

    def seed_campaigns(
        self,
        n: int,
        *,
        channel: str = "PUSH",
        delivery_type: str = "PERIODIC",
        status: str | None = None,
        api: int = 1,
        name: str = "seeded",
        created_by: str = "sandbox@example.com",
        tags: list[str] | None = None,
    ) -> list[str]:
        """Insert ``n`` live campaigns directly (no HTTP, no budgets); their ids.

        ``status`` defaults to where a published campaign of ``delivery_type``
        lands (SCHEDULED for ONE_TIME, ACTIVE otherwise). ``api=5`` marks them as
        V5 campaigns; ``status="DRAFT"`` seeds drafts.
        """
        return self._state.seed_campaigns(
            n,
            channel=channel,
            delivery_type=delivery_type,
            status=status,
            api=api,
            name=name,
            created_by=created_by,
            tags=tags,
        )


async def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    budgets: BudgetOverrides | None = None,
    faults: Faults | str | None = None,
    seed: int = 0,
    workspace_id: str = "SANDBOX_WS",
    api_key: str = "sandbox-key",
) -> None:
    """Serve a sandbox until cancelled; print where and with which credentials."""
    import anyio

    async with Sandbox(
        budgets=budgets,
        faults=faults,
        seed=seed,
        host=host,
        port=port,
        workspace_id=workspace_id,
        api_key=api_key,
    ) as sandbox:
        out = sys.stdout
        out.write(
            f"MoEngage sandbox on {sandbox.url}\n"
            f"  workspace_id={sandbox.workspace_id} api_key={sandbox.api_key}\n"
            f"  client: MoEngageClient({sandbox.workspace_id!r}, "
            f"{sandbox.api_key!r}, base_url={sandbox.url!r})\n"
            f"  ledger: {sandbox.url}/_sandbox/ledger\n"
        )
        out.flush()
        await anyio.sleep_forever()
