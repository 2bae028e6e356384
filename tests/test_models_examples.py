"""Every example body in MoEngage's two specs fits our models.

Every request example is built from our request models and encodes to the same
JSON (modulo key order); response examples decode into our response models.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from moengage_async.models import (
    AndroidBasicDetails,
    AndroidPushContent,
    to_wire,
    v1,
    v5,
)
from tests.spec_validation import (
    Example,
    request_examples,
    response_examples,
    validate_request,
)

#: The V5 examples write ``{{campaign_delivery_type}}`` (a template placeholder) in
#: an enum-typed field; our models refuse it, so the test substitutes a real value.
_PLACEHOLDERS = {'"{{campaign_delivery_type}}"': '"ONE_TIME"'}

#: Examples with locale-keyed content (``content: {"<locale>": {"<variation>":
#: {...}}}``). The single-variation ``*CampaignContent`` models cannot hold them
#: (msgspec refuses a union of a Struct and a dict), so they are built with the
#: ``Localized*CampaignContent`` models; before those existed these two examples
#: could not be built at all.
LOCALE_KEYED = {
    "test_campaign-email_test_locale_variation",
    "create_draft_campaign_v5-push_multi_locale_ab_variation",
}
_LOCALIZED: dict[tuple[int, str], Any] = {
    (1, "PUSH"): v1.LocalizedPushCampaignContent,
    (1, "EMAIL"): v1.LocalizedEmailCampaignContent,
    (5, "PUSH"): v5.LocalizedPushCampaignContent,
    (5, "EMAIL"): v5.LocalizedEmailCampaignContent,
}
#: A stand-in single-variation content, swapped for the localized one after decoding.
_STAND_IN = {"PUSH": {"content": {"push": {}}}, "EMAIL": {"content": {"email": {}}}}

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


def _params(version: int, *, locale_keyed: bool | None = None) -> list[Any]:
    return [
        pytest.param(version, ex, id=f"v{version}-{ex.id}")
        for ex in request_examples(version)
        if locale_keyed is None or (ex.id in LOCALE_KEYED) is locale_keyed
    ]


def _raw(example: Example) -> bytes:
    text = json.dumps(example.value)
    for placeholder, value in _PLACEHOLDERS.items():
        text = text.replace(placeholder, value)
    return text.encode()


def _build(version: int, example: Example) -> msgspec.Struct:
    """The example as our typed models (localized content in its own model)."""
    raw = _raw(example)
    model_type = _request_model(version, example)
    if example.id not in LOCALE_KEYED:
        built: msgspec.Struct = msgspec.json.decode(raw, type=model_type)
        return built
    body = json.loads(raw)
    channel = body["channel"]
    content = msgspec.convert(body["campaign_content"], _LOCALIZED[(version, channel)])
    single = msgspec.convert(
        {**body, "campaign_content": _STAND_IN[channel]}, model_type
    )
    return msgspec.structs.replace(single, campaign_content=content)


@pytest.mark.parametrize(("version", "example"), _params(1) + _params(5))
def test_every_request_example_is_built_from_the_models(
    version: int, example: Example
) -> None:
    """Each spec request example, built from our models, encodes to itself."""
    model = _build(version, example)
    assert to_wire(model) == json.loads(_raw(example))


@pytest.mark.parametrize(
    ("version", "example"),
    _params(1, locale_keyed=True) + _params(5, locale_keyed=True),
)
def test_locale_keyed_content_is_refused_by_the_single_form(
    version: int, example: Example
) -> None:
    """The single-variation model refuses locale-keyed content, never truncates it."""
    with pytest.raises(msgspec.ValidationError, match="missing required field"):
        msgspec.json.decode(_raw(example), type=_request_model(version, example))


def test_a_multi_locale_ab_draft_is_written_with_the_models() -> None:
    """The spec's multi-locale A/B Push draft, typed by hand, equals the example."""
    (example,) = [
        ex
        for ex in request_examples(5)
        if ex.id == "create_draft_campaign_v5-push_multi_locale_ab_variation"
    ]

    def body(title: str, message: str) -> v5.PushContentBody:
        android = AndroidPushContent(
            template_type="BASIC",
            basic_details=AndroidBasicDetails(title=title, message=message),
        )
        return v5.PushContentBody(push=v5.PushContent(android=android))

    content = v5.LocalizedPushCampaignContent(
        locales=["es-ES"],
        variation_details=v5.VariationDetails(
            distribution_type="MANUAL",
            no_of_variations=2,
            manual_distribution_percentage={"variation_1": 50, "variation_2": 50},
        ),
        content={
            locale: {
                f"variation_{n}": body(
                    f"{{{{title{suffix}_v{n}}}}}", f"{{{{message{suffix}_v{n}}}}}"
                )
                for n in (1, 2)
            }
            for locale, suffix in (("default", ""), ("es-ES", "_es"))
        },
    )
    draft = _build(5, example)
    assert isinstance(draft, v5.PushDraft)
    typed = msgspec.structs.replace(draft, campaign_content=content)
    assert to_wire(typed) == to_wire(draft) == json.loads(_raw(example))
    validate_request(5, "create_draft_campaign_v5", to_wire(typed))


@pytest.mark.parametrize(
    "content",
    [
        pytest.param({}, id="no-locale"),
        pytest.param({"es-ES": {}}, id="locale-without-variations"),
        pytest.param({"": {"variation_1": {"push": {}}}}, id="empty-locale"),
    ],
)
def test_empty_localized_content_is_refused(content: dict[str, Any]) -> None:
    """Localized content needs a named locale with at least one variation."""
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"content": content}, v5.LocalizedPushCampaignContent)


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
