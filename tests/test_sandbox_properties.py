"""Property: whatever the body, the sandbox answers a documented shape, never 500.

Bodies are the specs' own request examples, mutated by hypothesis (keys dropped,
values replaced by arbitrary JSON, unknown keys added, whole body replaced).
``SandboxHTTP.call`` checks every answer against the operation's response schema
(or the generation's error envelope).
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest
from conftest import SandboxHTTP
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moengage_async import DEFAULT_BUDGETS
from moengage_async.sandbox._schemas import iter_operations

V1 = "/core-services/v1"
UNLIMITED = ";".join(f"{name}:=1000000/1" for name in DEFAULT_BUDGETS)


def _cases() -> list[tuple[int, str, str, Any]]:
    cases = []
    for version in (1, 5):
        for op in iter_operations(version):
            content = op.operation.get("requestBody", {}).get("content", {})
            examples = content.get("application/json", {}).get("examples", {})
            values = [e["value"] for e in examples.values()] or [None]
            cases.extend((version, op.method, op.path, value) for value in values)
    return cases


CASES = _cases()

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


@st.composite
def mutated(draw: st.DrawFn, body: Any) -> Any:
    """``body`` with one random mutation (or none, or replaced entirely)."""
    kind = draw(st.sampled_from(["keep", "drop", "replace", "add", "whole"]))
    body = copy.deepcopy(body)
    paths = _paths(body)
    if kind == "whole" or body is None:
        return draw(json_values)
    if kind == "keep" or not paths:
        return body
    if kind == "add":
        if isinstance(body, dict):
            body[draw(st.text(min_size=1, max_size=6))] = draw(json_values)
        return body
    path = draw(st.sampled_from(paths))
    parent = body
    for step in path[:-1]:
        parent = parent[step]
    if kind == "drop":
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(json_values)
    return body


@st.composite
def requests(draw: st.DrawFn) -> tuple[int, str, str, str, Any, bool]:
    """One request: which operation, which campaign, what body, with a key or not."""
    version, method, path, example = draw(st.sampled_from(CASES))
    target = draw(st.sampled_from(["live", "draft", "0" * 24, "not-an-id"]))
    return version, method, path, target, draw(mutated(example)), draw(st.booleans())


@pytest.mark.moengage_sandbox(budgets=UNLIMITED, gcg_job_s=0.0)
@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(request=requests())
async def test_bad_input_never_gets_a_500_or_an_undocumented_body(
    sandbox_http: SandboxHTTP, request: tuple[int, str, str, str, Any, bool]
) -> None:
    """Mutated spec examples get 2xx or a documented 4xx envelope, never a 5xx."""
    version, method, path, target, body, with_key = request
    sandbox = sandbox_http.sandbox
    (live,) = sandbox.seed_campaigns(1, api=5)
    (draft,) = sandbox.seed_campaigns(1, status="DRAFT", api=5)
    campaign_id = {"live": live, "draft": draft}.get(target, target)
    path = path.replace("{campaign_id}", campaign_id)
    path = path.replace("{parent_campaign_id}", campaign_id)
    key = str(uuid.uuid4()) if with_key else None
    full = (V1 if version == 1 else "") + path
    code, answer, _ = await sandbox_http.call(method, full, body, key=key)
    assert code < 500, answer


STATUS_BODIES = [
    (
        "v1.change_status",
        (1, "POST", "/campaigns/status"),
        {"request_id": "r", "action": "PAUSE", "campaign_ids": ["a", "b"]},
    ),
    (
        "v5.change_status",
        (5, "PATCH", "/v5/campaigns/{campaign_id}/status"),
        {"request_id": "r", "action": "STOP"},
    ),
]


@settings(max_examples=150, deadline=None, database=None)
@given(
    case=st.sampled_from(STATUS_BODIES),
    seed_body=st.data(),
)
def test_the_fast_path_never_accepts_what_the_schema_refuses(
    case: tuple[str, tuple[int, str, str], dict[str, Any]], seed_body: st.DataObject
) -> None:
    """Whenever the msgspec fast path says valid, jsonschema agrees."""
    from moengage_async.sandbox._fastpath import fast_valid
    from moengage_async.sandbox._schemas import operation_schemas

    name, where, example = case
    body = seed_body.draw(mutated(example))
    if fast_valid(name, body):
        assert operation_schemas(*where).request_error(body) is None
