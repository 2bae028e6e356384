"""The window log: exact for small windows, conservative and bounded for large ones."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from moengage_async.budgets._window_log import SLICES, WindowLog


def test_a_stamp_counts_for_exactly_one_window() -> None:
    """A stamp at t counts while now < t + seconds and not a moment longer."""
    log = WindowLog(3, 1.0)
    log.add(2.0)
    log.expire(2.999)
    assert log.used == 1
    log.expire(3.0)
    assert log.used == 0


def test_small_windows_keep_every_stamp() -> None:
    """Windows up to 512 requests keep one entry per distinct stamp (exact)."""
    log = WindowLog(100, 60.0)
    for i in range(100):
        log.add(i * 0.001)
    assert (log.used, log.entries) == (100, 100)


def test_expiry_of_returns_when_n_stamps_have_left() -> None:
    """expiry_of(n) is when the n oldest counted stamps have all expired."""
    log = WindowLog(5, 10.0)
    for t in (1.0, 2.0, 2.0, 4.0):
        log.add(t)
    assert [log.expiry_of(n) for n in (1, 2, 3, 4)] == [11.0, 12.0, 12.0, 14.0]


@settings(max_examples=60, deadline=None)
@given(gaps=st.lists(st.floats(0.0, 30.0), min_size=1, max_size=1500))
def test_merged_windows_never_count_fewer_than_exact(gaps: list[float]) -> None:
    """A large window (merging stamps) counts at least every stamp still inside it,
    never one that left more than a slice ago, and keeps at most SLICES + 2 entries."""
    log = WindowLog(6000, 3600.0)
    stamps: list[float] = []
    now = 0.0
    for gap in gaps:
        now += gap
        log.add(now)
        stamps.append(now)
        log.expire(now)
        exact = sum(1 for t in stamps if t + 3600.0 > now)
        generous = sum(1 for t in stamps if t + 3600.0 + 3600.0 / SLICES > now)
        assert exact <= log.used <= generous
        assert log.entries <= SLICES + 2


def test_bulk_limit_is_the_share_rounded_down_but_at_least_one() -> None:
    """bulk_share 0.8 leaves 8 of 10, and never zero of a tiny window."""
    assert WindowLog(10, 1.0, 0.8).bulk_limit == 8
    assert WindowLog(1, 1.0, 0.8).bulk_limit == 1
    assert WindowLog(100, 60.0, 1.0).bulk_limit == 100
