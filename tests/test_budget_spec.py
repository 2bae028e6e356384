"""Budgets are data: the documented table, the override syntax and the env variable."""

from __future__ import annotations

import logging

import pytest

from moengage_async import (
    DEFAULT_BUDGETS,
    Window,
    budgets_from_env,
    exactly,
    parse_budgets,
)
from moengage_async.budgets._spec import format_budgets, resolve_budgets

STANDARD = (Window(10, 1.0), Window(100, 60.0), Window(6000, 3600.0))


@pytest.mark.parametrize(
    "name",
    ["update", "status", "search", "get", "meta", "validate", "test", "executions"],
)
def test_standard_budgets_are_10s_100min_6000h(name: str) -> None:
    """The standard buckets carry docs/api-notes.md §4.2's 10/s, 100/min and 6000/h."""
    assert DEFAULT_BUDGETS[name].windows == STANDARD


def test_create_success_is_a_quota_with_a_day_window() -> None:
    """Successful creations: 5/min, 25/h, 100/day, counted on success only."""
    budget = DEFAULT_BUDGETS["create_success"]
    assert budget.windows == (Window(5, 60.0), Window(25, 3600.0), Window(100, 86400.0))
    assert budget.successes_only


def test_create_requests_counts_every_attempt() -> None:
    """Create calls: 5/s, 25/min, 100/h of every attempt."""
    budget = DEFAULT_BUDGETS["create_requests"]
    assert budget.windows == (Window(5, 1.0), Window(25, 60.0), Window(100, 3600.0))
    assert not budget.successes_only


def test_gcg_has_a_concurrency_gate_of_one() -> None:
    """The GCG file job: 10/min and one in flight at a time."""
    assert DEFAULT_BUDGETS["gcg"].windows == (Window(10, 60.0),)
    assert DEFAULT_BUDGETS["gcg"].concurrency == 1


def test_preview_is_10000_per_minute() -> None:
    """Personalized preview allows 10,000 a minute."""
    assert DEFAULT_BUDGETS["preview"].windows == (Window(10000, 60.0),)


def test_parse_reads_several_budgets() -> None:
    """The string syntax sets windows per budget, separated by semicolons."""
    parsed = parse_budgets("status=9/1,90/60, 5000/3600; create_requests=4/1")
    assert parsed == {
        "status": (Window(9, 1.0), Window(90, 60.0), Window(5000, 3600.0)),
        "create_requests": (Window(4, 1.0), Window(25, 60.0), Window(100, 3600.0)),
    }


def test_an_override_changes_its_window_and_keeps_the_others() -> None:
    """status=5/1 tightens the 1-second window; the minute and hour windows stay."""
    expected = (Window(5, 1.0), Window(100, 60.0), Window(6000, 3600.0))
    assert parse_budgets("status=5/1") == {"status": expected}
    assert resolve_budgets("status=5/1")["status"].windows == expected
    assert resolve_budgets({"status": [(5, 1)]})["status"].windows == expected
    assert resolve_budgets({"status": "5/1"})["status"].windows == expected


def test_a_new_window_length_adds_a_window() -> None:
    """A length the budget does not have is added to its windows."""
    windows = resolve_budgets("status=50/10")["status"].windows
    assert windows == (*STANDARD, Window(50, 10.0))


def test_replacing_the_whole_set_is_explicit() -> None:
    """name:=... (string) or exactly(...) (Python) keeps only the windows given."""
    only = (Window(5, 1.0),)
    assert parse_budgets("status:=5/1") == {"status": only}
    assert resolve_budgets("status:=5/1")["status"].windows == only
    assert resolve_budgets({"status": exactly("5/1")})["status"].windows == only
    assert resolve_budgets({"status": exactly([(5, 1.0)])})["status"].windows == only
    assert resolve_budgets("status:=5/1")["update"].windows == STANDARD


def test_two_windows_of_one_length_are_refused() -> None:
    """One override cannot set the same window twice."""
    with pytest.raises(ValueError, match="two windows of 1 s"):
        resolve_budgets("status=5/1,6/1")


def test_a_limit_above_the_documented_table_is_accepted_and_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A workspace with raised limits: the override applies, and says so once."""
    caplog.set_level(logging.INFO, logger="moengage_async.budgets")
    for _ in range(3):
        assert resolve_budgets("search=37/1")["search"].windows[0] == Window(37, 1.0)
    raised = [r for r in caplog.records if "above MoEngage's documented" in r.message]
    assert len(raised) == 1
    assert "search" in raised[0].message and "37" in raised[0].message


@pytest.mark.parametrize(
    ("text", "culprit"),
    [
        ("status=10/1,abc", "'abc'"),
        ("status=10", "'10'"),
        ("status=0/1", "'0/1'"),
        ("status=10/-1", "'10/-1'"),
        ("status=10/inf", "'10/inf'"),
        ("nosuch=10/1", "'nosuch'"),
        ("status", "'status'"),
        ("status=", "''"),
    ],
)
def test_malformed_text_names_the_bad_part(text: str, culprit: str) -> None:
    """A malformed override raises ValueError quoting the part that is wrong."""
    with pytest.raises(ValueError, match=culprit):
        parse_budgets(text)


def test_mapping_override_keeps_quota_and_gate_flags() -> None:
    """Overriding windows keeps successes_only and concurrency of the bucket."""
    table = resolve_budgets({"create_success": exactly([(2, 1.0)]), "gcg": "3/0.5"})
    assert table["create_success"].windows == (Window(2, 1.0),)
    assert table["create_success"].successes_only
    assert table["gcg"].windows == (Window(10, 60.0), Window(3, 0.5))
    assert table["gcg"].concurrency == 1


@pytest.mark.parametrize(
    "windows", [[(0, 1.0)], [("x", 1.0)], [(1.5, 1.0)], [(1, -2.0)], [], [(1,)]]
)
def test_mapping_override_rejects_bad_pairs(windows: object) -> None:
    """Bad (limit, seconds) pairs raise ValueError naming the budget."""
    with pytest.raises(ValueError, match="'status'"):
        resolve_budgets({"status": windows})  # type: ignore[dict-item]


def test_mapping_override_rejects_unknown_budget() -> None:
    """An unknown budget name is refused with the list of known ones."""
    with pytest.raises(ValueError, match="known budgets"):
        resolve_budgets({"statuss": [(1, 1.0)]})


def test_format_round_trips_through_parse() -> None:
    """format_budgets writes what resolve_budgets reads back, dropped windows too."""
    text = format_budgets(DEFAULT_BUDGETS)
    assert resolve_budgets(text) == dict(DEFAULT_BUDGETS)
    scaled = resolve_budgets("status:=10/0.05,100/3;search=5/1")
    assert resolve_budgets(format_budgets(scaled)) == scaled


def test_env_variable_overrides_the_table() -> None:
    """MOENGAGE_BUDGETS overrides windows; other buckets keep their defaults."""
    table = budgets_from_env({"MOENGAGE_BUDGETS": "status=5/1;search:=7/1"})
    assert table["status"].windows == (Window(5, 1.0), *STANDARD[1:])
    assert table["search"].windows == (Window(7, 1.0),)
    assert table["update"].windows == STANDARD


def test_env_variable_absent_gives_the_documented_table() -> None:
    """Without MOENGAGE_BUDGETS the documented table applies."""
    assert budgets_from_env({}) == dict(DEFAULT_BUDGETS)


def test_env_variable_malformed_raises() -> None:
    """A malformed MOENGAGE_BUDGETS fails loudly rather than running unlimited."""
    with pytest.raises(ValueError, match="'5-1'"):
        budgets_from_env({"MOENGAGE_BUDGETS": "status=5-1"})
