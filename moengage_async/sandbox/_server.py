"""``Sandbox``: a local MoEngage Campaigns server, in process or standalone."""

from __future__ import annotations

import base64
import errno
import os
import shlex
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple

from aiohttp import web

from .._clock import Clock, MonotonicClock
from .._errors import MoEngageError
from ..budgets import (
    DEFAULT_BUDGETS,
    Budget,
    BudgetOverrides,
    exactly,
    format_budgets,
    resolve_budgets,
)
from ._app import Handler, build_app
from ._control import add_control_routes
from ._faults import FaultPlan, Faults, parse_faults
from ._ledger import Ledger
from ._state import RateLimitBody, RateLimitReset, SandboxState
from ._store import Campaign

if TYPE_CHECKING:
    from .._client import MoEngageClient

__all__ = ["PauseSetup", "Sandbox", "SandboxStartError", "serve"]


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


class PauseSetup(NamedTuple):
    """What ``Sandbox.seed_pausable`` made: ids, the file listing them, a command."""

    ids: tuple[str, ...]
    ids_file: Path
    command: str


def _write_ids(ids: Sequence[str], path: str | os.PathLike[str] | None) -> Path:
    if path is None:
        fd, name = tempfile.mkstemp(prefix="moengage-sandbox-", suffix=".ids")
        os.close(fd)
        path = name
    target = Path(path)
    target.write_text("".join(f"{i}\n" for i in ids), encoding="utf-8")
    return target


class SandboxStartError(MoEngageError):
    """Raised when the sandbox cannot listen on its host and port (e.g. in use)."""

    def __init__(self, host: str, port: int, reason: OSError) -> None:
        self.host = host
        self.port = port
        self.errno = reason.errno
        if reason.errno == errno.EADDRINUSE:
            why = "the address is already in use; pick another --port (0 = any free)"
        else:
            why = reason.strerror or str(reason)
        super().__init__(f"cannot listen on {host}:{port}: {why}")


class Sandbox:
    """A faithful in-memory MoEngage Campaigns server on loopback.

    ``async with Sandbox() as sandbox:`` serves on a free port; point a client at it
    with ``sandbox.client()``. Budgets are counted on arrival, per workspace,
    exactly; faults are drawn from ``random.Random(seed)``.

    Rate-limit signals: every answer of a budgeted operation carries
    ``x-ratelimit-limit``, ``x-ratelimit-remaining`` (of the operation's tightest
    window) and ``x-ratelimit-reset`` (seconds until that window frees a slot, or
    with ``rate_limit_reset="epoch"`` the Unix time, whole seconds rounded up);
    ``rate_limit_headers=False`` leaves them out. ``rate_limit_body="data_api"``
    answers 429 in the Data API's shape instead of the V1/V5 envelopes.
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
        rate_limit_headers: bool = True,
        rate_limit_reset: RateLimitReset = "seconds",
        rate_limit_body: RateLimitBody = "native",
    ) -> None:
        if rate_limit_reset not in ("seconds", "epoch"):
            raise ValueError(
                "rate_limit_reset must be 'seconds' or 'epoch', "
                f"got {rate_limit_reset!r}"
            )
        if rate_limit_body not in ("native", "data_api"):
            raise ValueError(
                "rate_limit_body must be 'native' or 'data_api', "
                f"got {rate_limit_body!r}"
            )
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
            rate_limit_headers=rate_limit_headers,
            rate_limit_reset=rate_limit_reset,
            rate_limit_body=rate_limit_body,
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
        except OSError as exc:
            await runner.cleanup()
            raise SandboxStartError(self._host, self._port, exc) from None
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

    @property
    def budgets(self) -> Mapping[str, Budget]:
        """The budget table the sandbox enforces (the documented one, overridden)."""
        return self._state.budgets

    def client(self, **kwargs: Any) -> MoEngageClient:
        """A ``MoEngageClient`` for this sandbox; ``kwargs`` go to the client.

        Unless ``budgets=`` or ``limiter=`` is given, the client budgets with the
        sandbox's own table, so a sandbox with scaled-down windows is also fast
        from the client's side.
        """
        from .._client import MoEngageClient

        kwargs.setdefault("base_url", self.url)
        if "budgets" not in kwargs and kwargs.get("limiter") is None:
            kwargs["budgets"] = {
                name: exactly([(w.limit, w.seconds) for w in budget.windows])
                for name, budget in self._state.budgets.items()
            }
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

    def foreign_usage(
        self, budget: str, count: int = 1, *, workspace_id: str | None = None
    ) -> None:
        """Spend ``count`` slots of ``budget`` now, unseen by any client.

        Stands for another integration sharing the workspace: the slots count in
        the rolling windows (and in ``x-ratelimit-remaining``), not in the ledger.

        Raises:
            ValueError: ``budget`` is unknown or ``count`` is negative.
        """
        self._state.foreign_usage(budget, count, workspace_id)

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

    def seed_pausable(
        self,
        n: int,
        *,
        ids_file: str | os.PathLike[str] | None = None,
        program: str = "moengage-async",
    ) -> PauseSetup:
        """Seed ``n`` ACTIVE campaigns a pause applies to, and say how to pause them.

        Half are PERIODIC and half EVENT_TRIGGERED Push campaigns (both accept
        PAUSE). Their ids are written one a line to ``ids_file`` (default: a new
        temporary file); ``command`` is a shell command that pauses them all.

        Args:
            n: How many campaigns to seed.
            ids_file: Where to write the ids; a fresh temporary file when None.
            program: The command's first word (the console script by default).

        Returns:
            The ids, the file holding them and the command.
        """
        periodic = self.seed_campaigns(n - n // 2, delivery_type="PERIODIC")
        triggered = self.seed_campaigns(n // 2, delivery_type="EVENT_TRIGGERED")
        ids = [*periodic, *triggered]
        path = _write_ids(ids, ids_file)
        return PauseSetup(tuple(ids), path, self.pause_command(path, program=program))

    def pause_command(
        self, ids_file: str | os.PathLike[str], *, program: str = "moengage-async"
    ) -> str:
        """A shell command pausing the campaigns listed in ``ids_file`` here.

        It names this sandbox's URL and credentials, and its budgets where they
        differ from the documented ones, so the client paces itself to them.
        """
        args = [
            *shlex.split(program),
            "status",
            "pause",
            "--ids-file",
            os.fspath(ids_file),
            "--base-url",
            self.url,
            "--workspace-id",
            self._workspace_id,
            "--api-key",
            self._api_key,
        ]
        changed = {
            name: budget
            for name, budget in self._state.budgets.items()
            if DEFAULT_BUDGETS.get(name) != budget
        }
        if changed:
            args += ["--budget", format_budgets(changed)]
        return shlex.join(args)

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
    campaigns: int = 0,
    ids_file: str | os.PathLike[str] | None = None,
    **options: Any,
) -> None:
    """Serve a sandbox until cancelled; print where and with which credentials.

    With ``campaigns`` > 0 it first seeds that many pausable campaigns, writes
    their ids to ``ids_file`` (default: a temporary file, removed on exit) and
    prints a command that pauses them. ``options`` go to ``Sandbox``.

    Raises:
        SandboxStartError: The host and port cannot be bound (e.g. in use).
    """
    import anyio

    if campaigns < 0:
        raise ValueError(f"campaigns must be >= 0, got {campaigns}")
    async with Sandbox(
        budgets=budgets,
        faults=faults,
        seed=seed,
        host=host,
        port=port,
        workspace_id=workspace_id,
        api_key=api_key,
        **options,
    ) as sandbox:
        lines = [
            f"MoEngage sandbox on {sandbox.url}",
            f"  workspace_id={sandbox.workspace_id} api_key={sandbox.api_key}",
            f"  client: MoEngageClient({sandbox.workspace_id!r}, "
            f"{sandbox.api_key!r}, base_url={sandbox.url!r})",
            f"  ledger: {sandbox.url}/_sandbox/ledger",
        ]
        setup = None
        if campaigns:
            setup = sandbox.seed_pausable(campaigns, ids_file=ids_file)
            lines += [
                f"  seeded {campaigns} ACTIVE campaigns (PERIODIC and "
                f"EVENT_TRIGGERED Push); ids in {setup.ids_file}",
                "  pause them all:",
                f"    {setup.command}",
            ]
        out = sys.stdout
        out.write("\n".join(lines) + "\n")
        out.flush()
        try:
            await anyio.sleep_forever()
        finally:
            if setup is not None and ids_file is None:
                setup.ids_file.unlink(missing_ok=True)
