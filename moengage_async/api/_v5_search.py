"""``CampaignSearch``: an async iterator over every V5 search result, page by page.

V5 search answers no total count; the last page is the first one with fewer than
``limit`` rows. The iterator holds one page at a time and fetches the next only
when the current one is used up, so memory stays flat however many campaigns
match, and every page request goes through the search budget like any call.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from .._errors import PayloadValidationError
from ..models.v5 import CampaignDetails

__all__ = ["CampaignSearch", "FetchPage", "SearchStatistics", "check_page_size"]

#: Fetches page ``page`` (1-based) of ``limit`` rows.
FetchPage = Callable[[int, int], Awaitable[list[CampaignDetails]]]

#: V5 search accepts 1 to 15 rows per page.
MAX_PAGE_SIZE = 15


def check_page_size(page_size: int, max_items: int | None) -> None:
    """Refuse a page size outside 1 to 15, or a negative ``max_items``."""
    if isinstance(page_size, bool) or not isinstance(page_size, int):
        raise PayloadValidationError(f"page_size must be an int, got {page_size!r}")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise PayloadValidationError(
            f"page_size must be 1 to {MAX_PAGE_SIZE}, got {page_size}"
        )
    if max_items is not None and (
        isinstance(max_items, bool) or not isinstance(max_items, int) or max_items < 0
    ):
        raise PayloadValidationError(f"max_items must be an int >= 0: {max_items!r}")


@dataclass(frozen=True)
class SearchStatistics:
    """Where a search is: pages fetched, rows handed out, rows held right now.

    ``buffered`` counts every row the iterator still references (at most one
    page), not only the ones not yet yielded.
    """

    pages_fetched: int
    items_yielded: int
    buffered: int
    exhausted: bool


class CampaignSearch:
    """``async for campaign in client.v5.search(...)``: each match exactly once.

    Pages are fetched lazily; at most one page (``page_size`` rows) is held.
    Iteration stops after a short page, or after ``max_items`` rows without
    fetching further pages. Errors of a page request propagate from ``__anext__``
    (after the client's retries); iterating again resumes at the failed page.
    """

    def __init__(
        self, fetch: FetchPage, *, page_size: int, max_items: int | None
    ) -> None:
        self._fetch = fetch
        # A cap below one page asks for just that many rows (one request).
        self._limit = (
            page_size if max_items is None else max(1, min(page_size, max_items))
        )
        self._max_items = max_items
        self._page: list[CampaignDetails] = []
        self._index = 0
        self._next_page = 1
        self._pages = 0
        self._yielded = 0
        self._last = max_items == 0

    def __aiter__(self) -> CampaignSearch:
        return self

    async def __anext__(self) -> CampaignDetails:
        if self._max_items is not None and self._yielded >= self._max_items:
            self._release()
            raise StopAsyncIteration
        if self._index >= len(self._page):
            self._release()
            if self._last:
                raise StopAsyncIteration
            rows = await self._fetch(self._next_page, self._limit)
            self._next_page += 1
            self._pages += 1
            self._last = len(rows) < self._limit
            if not rows:
                raise StopAsyncIteration
            self._page = rows
        row = self._page[self._index]
        self._index += 1
        self._yielded += 1
        return row

    def _release(self) -> None:
        self._page = []
        self._index = 0

    def statistics(self) -> SearchStatistics:
        """A snapshot: pages fetched, rows yielded, rows buffered, finished or not."""
        return SearchStatistics(
            self._pages,
            self._yielded,
            len(self._page),
            self._last and self._index >= len(self._page),
        )

    async def collect(self) -> list[CampaignDetails]:
        """Every remaining match as a list (for small result sets)."""
        return [campaign async for campaign in self]
