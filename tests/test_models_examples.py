"""Every example body in MoEngage's two specs fits our models.

Request examples decode into our request models and re-encode to the same JSON
(modulo key order); response examples decode into our response models.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from moengage_async.models import to_wire, v1, v5
from tests.spec_validation import Example, request_examples, response_examples

#: The V5 examples write ``{{campaign_delivery_type}}`` (a template placeholder) in
#: an enum-typed field; our models refuse it, so the test substitutes a real value.
_PLACEHOLDERS = {'"{{campaign_delivery_type}}"': '"ONE_TIME"'}

#: Locale-keyed content (``content: {"<locale>": {"<variation>": {...}}}``) is not
#: modelled: send it as a plain dict. These examples must be refused, not truncated.
_LOCALE_KEYED = {
    "test_campaign-email_test_locale_variation",
    "create_draft_campaign_v5-push_multi_locale_ab_variation",
}

V1_REQUESTS: dict[str, Any] = {
    "create_campaign": v1.CampaignCreateRequest,
    "search_campaigns": v1.CampaignSearchRequest,
    "test_campaign": v1.CampaignTestRequest,
    "personalized_preview": v1.PreviewRequest,
    "get_campaign_meta": v1.CampaignMetaRequest,
    "change_campaign_status": v1.CampaignStatusChangeRequest,
    "get_child_campaigns": v1.ChildCampaignsRequest,
    "update_global_control_group": v1.GlobalControlGroupRequest,
}
V5_REQUESTS: dict[str, Any] = {
    "create_draft_campaign_v5": v5.CreateDraftRequest,
    "validate_draft_campaign_v5": v5.ValidateRequest,
    "change_campaign_status_v5": v5.StatusChangeRequest,
    "search_campaigns_v5": v5.SearchRequest,
    "get_campaign_meta_v5": v5.MetaRequest,
    "test_campaign_v5": v5.TestRequest,
    "preview_personalized_content_v5": v5.PreviewRequest,
}
V1_RESPONSES: dict[str, Any] = {
    "create_campaign": v1.CampaignCreateResponse,
    "search_campaigns": list[v1.CampaignDetails],
    "test_campaign": v1.TestCampaignResponse,
    "personalized_preview": v1.PreviewResponse,
    "get_campaign_meta": list[v1.CampaignMeta],
    "get_child_campaigns": v1.ChildCampaignsResponse,
}
V5_RESPONSES: dict[str, Any] = {
    "create_draft_campaign_v5": v5.Envelope[v5.DraftCreated],
    "get_single_campaign_v5": v5.Envelope[v5.CampaignDetails],
    "patch_draft_campaign_v5": v5.Envelope[v5.PatchAccepted],
    "validate_draft_campaign_v5": v5.Envelope[v5.ValidationResult],
    "change_campaign_status_v5": v5.Envelope[v5.StatusChanged],
    "search_campaigns_v5": v5.Envelope[v5.CampaignList],
    "get_campaign_meta_v5": v5.Envelope[v5.CampaignMetaList],
    "test_campaign_v5": v5.Envelope[v5.TestResults],
    "preview_personalized_content_v5": v5.Envelope[v5.PreviewResult],
}


def _request_model(version: int, example: Example) -> Any:
    """Pick the model; PATCH bodies carry no reliable tag, so the example name says."""
    if example.operation_id == "update_campaign":
        email = example.name.startswith("email")
        return v1.EmailCampaignUpdate if email else v1.PushCampaignUpdate
    if example.operation_id == "patch_draft_campaign_v5":
        email = example.name.startswith("email")
        return v5.EmailDraftPatch if email else v5.PushDraftPatch
    return (V1_REQUESTS if version == 1 else V5_REQUESTS)[example.operation_id]


def _params(version: int, *, locale_keyed: bool) -> list[Any]:
    return [
        pytest.param(version, ex, id=f"v{version}-{ex.id}")
        for ex in request_examples(version)
        if (ex.id in _LOCALE_KEYED) is locale_keyed
    ]


def _raw(example: Example) -> bytes:
    text = json.dumps(example.value)
    for placeholder, value in _PLACEHOLDERS.items():
        text = text.replace(placeholder, value)
    return text.encode()


@pytest.mark.parametrize(
    ("version", "example"),
    _params(1, locale_keyed=False) + _params(5, locale_keyed=False),
)
def test_request_example_round_trips(version: int, example: Example) -> None:
    """A spec request example decodes into our model and encodes back unchanged."""
    raw = _raw(example)
    model = msgspec.json.decode(raw, type=_request_model(version, example))
    assert to_wire(model) == json.loads(raw)


@pytest.mark.parametrize(
    ("version", "example"),
    _params(1, locale_keyed=True) + _params(5, locale_keyed=True),
)
def test_locale_keyed_content_is_refused_not_truncated(
    version: int, example: Example
) -> None:
    """Locale-keyed content fails to decode instead of silently losing locales."""
    with pytest.raises(msgspec.ValidationError, match="missing required field"):
        msgspec.json.decode(_raw(example), type=_request_model(version, example))


def _response_params() -> list[Any]:
    params: list[Any] = []
    for version, table in ((1, V1_RESPONSES), (5, V5_RESPONSES)):
        params.extend(
            pytest.param(table[ex.operation_id], ex, id=f"v{version}-{ex.id}")
            for ex in response_examples(version)
            if ex.status is not None and ex.status < 300
        )
    return params


@pytest.mark.parametrize(("model", "example"), _response_params())
def test_response_example_decodes(model: Any, example: Example) -> None:
    """A spec 2xx response example decodes into our response model."""
    decoded = msgspec.json.decode(json.dumps(example.value).encode(), type=model)
    assert decoded is not None


def test_every_spec_operation_has_a_request_or_response_model() -> None:
    """No operation with a JSON body in the specs is left without a model."""
    covered_v1 = {*V1_REQUESTS, *V1_RESPONSES, "update_campaign"}
    covered_v5 = {*V5_REQUESTS, *V5_RESPONSES, "patch_draft_campaign_v5"}
    assert {ex.operation_id for ex in request_examples(1)} <= covered_v1
    assert {ex.operation_id for ex in request_examples(5)} <= covered_v5
