"""Reserved ``/_sandbox/*`` routes: ledger and campaign state, never faulted."""

from __future__ import annotations

from collections import Counter

from aiohttp import web

from ._state import SandboxState

__all__ = ["CONTROL_PREFIX", "add_control_routes"]

CONTROL_PREFIX = "/_sandbox"


def add_control_routes(app: web.Application, state: SandboxState) -> None:
    """Add ``/_sandbox/ledger``, ``/_sandbox/campaigns/{id}``, ``/_sandbox/health``.

    ``health`` also counts the campaigns by status. ``POST
    /_sandbox/foreign_usage`` with ``{"budget", "count", "workspace_id"?}`` spends
    budget slots as another integration would (``Sandbox.foreign_usage``).
    """

    async def ledger(request: web.Request) -> web.Response:
        return web.json_response(state.ledger.to_json())

    async def campaign(request: web.Request) -> web.Response:
        found = state.store.get(request.match_info["campaign_id"])
        if found is None:
            return web.json_response({"error": "unknown campaign"}, status=404)
        return web.json_response(
            {
                "id": found.id,
                "status": found.status,
                "channel": found.channel,
                "campaign_delivery_type": found.delivery_type,
                "version_number": found.version_number,
                "actions": len(state.ledger.actions(found.id)),
            }
        )

    async def health(request: web.Request) -> web.Response:
        statuses = Counter(c.status for c in state.store)
        return web.json_response(
            {"ok": True, "campaigns": len(state.store), "statuses": dict(statuses)}
        )

    async def foreign_usage(request: web.Request) -> web.Response:
        try:
            doc = await request.json()
            state.foreign_usage(
                str(doc["budget"]), int(doc.get("count", 1)), doc.get("workspace_id")
            )
        except (ValueError, KeyError, TypeError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response({"ok": True})

    app.router.add_post(f"{CONTROL_PREFIX}/foreign_usage", foreign_usage)
    app.router.add_get(f"{CONTROL_PREFIX}/ledger", ledger)
    app.router.add_get(f"{CONTROL_PREFIX}/campaigns/{{campaign_id}}", campaign)
    app.router.add_get(f"{CONTROL_PREFIX}/health", health)
