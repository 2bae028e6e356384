"""V5 response examples decode into our models and re-encode to the same JSON.

``test_models_examples`` already round-trips every request example and decodes
every response example; this adds the re-encoding of V5 answers, and the preview
answer whose example lives in a schema ``example`` rather than ``examples``.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from moengage_async.models import v5
from tests.spec_validation import Example, response_examples
from tests.test_models_examples import V5_RESPONSES
from tests.v5_support import nested_preview_answer


def _answers() -> list[Any]:
    return [
        pytest.param(ex, id=ex.id)
        for ex in response_examples(5)
        if ex.status is not None and ex.status < 300
    ]


@pytest.mark.parametrize("example", _answers())
def test_an_answer_example_re_encodes_unchanged(example: Example) -> None:
    """Decoding then encoding a V5 2xx example gives back the same JSON."""
    model = V5_RESPONSES[example.operation_id]
    decoded = msgspec.json.decode(json.dumps(example.value).encode(), type=model)
    assert msgspec.to_builtins(decoded) == example.value


def test_the_nested_preview_example_re_encodes_unchanged() -> None:
    """The preview example (an envelope inside the content) survives a round trip."""
    answer = nested_preview_answer()
    decoded = msgspec.convert(answer, v5.Envelope[v5.PreviewResult])
    assert msgspec.to_builtins(decoded) == answer


def test_preview_content_is_unwrapped_to_the_rendered_content() -> None:
    """``PreviewResult.content`` skips the nested envelope to the content itself."""
    decoded = msgspec.convert(nested_preview_answer(), v5.Envelope[v5.PreviewResult])
    assert decoded.data.content is not None
    assert list(decoded.data.content) == ["content"]
    android = decoded.data.content["content"]["push"]["android"]
    assert android["basic_details"]["title"] == "Hello, Jane!"


def test_a_meta_row_keeps_an_explicit_null_reachability() -> None:
    """``reachability_details: null`` (no reachability) differs from absent."""
    row = msgspec.convert(
        {"campaign_id": "c", "reachability_details": None}, v5.CampaignMeta
    )
    assert msgspec.to_builtins(row) == {
        "campaign_id": "c",
        "reachability_details": None,
    }
    assert msgspec.to_builtins(v5.CampaignMeta(campaign_id="c")) == {"campaign_id": "c"}
