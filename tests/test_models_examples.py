"""Every example body in MoEngage's two specs fits our models.

Every request example is built from our request models and encodes to the same
JSON (modulo key order); response examples decode into our response models.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
import msgspec.inspect
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
    load_spec,
    operation_ids,
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


@pytest.mark.parametrize(
    ("model", "percentages"),
    [
        pytest.param(v1.VariationDetails, {"variation_1": 50}, id="v1-int"),
        pytest.param(v5.VariationDetails, {"variation_1": "50"}, id="v5-str"),
    ],
)
def test_variation_percentages_have_the_declared_type(
    model: Any, percentages: dict[str, Any]
) -> None:
    """V1 percentages are strings and V5 integers, as each spec declares."""
    body = {
        "distribution_type": "MANUAL",
        "no_of_variations": 1,
        "manual_distribution_percentage": percentages,
    }
    with pytest.raises(msgspec.ValidationError, match="manual_distribution"):
        msgspec.convert(body, model)


# -- every declared request property has a model field ------------------------------

_REQUEST_MODELS: dict[tuple[int, str], tuple[Any, ...]] = {
    **{(1, op): (model,) for op, model in V1_REQUESTS.items()},
    **{(5, op): (model,) for op, model in V5_REQUESTS.items()},
    (1, "update_campaign"): (v1.PushCampaignUpdate, v1.EmailCampaignUpdate),
    (5, "patch_draft_campaign_v5"): (v5.PushDraftPatch, v5.EmailDraftPatch),
}


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def _properties(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    node = _resolve(spec, node)
    found = dict(node.get("properties", {}))
    for part in node.get("allOf", []):
        found.update(_properties(spec, part))
    return found


def _structs(info: Any) -> list[msgspec.inspect.StructType]:
    if isinstance(info, msgspec.inspect.StructType):
        return [info]
    if isinstance(info, msgspec.inspect.UnionType):
        return [s for t in info.types for s in _structs(t)]
    if isinstance(info, msgspec.inspect.ListType):
        return _structs(info.item_type)
    return []


def _alternative(
    spec: dict[str, Any], options: list[Any], struct: msgspec.inspect.StructType
) -> dict[str, Any]:
    """The ``oneOf`` member a struct models: by its tag, else by shared fields."""
    names = {f.encode_name for f in struct.fields}

    def score(option: dict[str, Any]) -> int:
        props = _properties(spec, option)
        if struct.tag_field is not None and struct.tag_field in props:
            tag = _resolve(spec, props[struct.tag_field])
            return 1 << 20 if struct.tag in tag.get("enum", ()) else -1
        return len(names & set(props))

    best: dict[str, Any] = max(options, key=score)
    return best


def _missing(
    spec: dict[str, Any],
    schema: dict[str, Any],
    struct: msgspec.inspect.StructType,
    path: str,
    seen: set[tuple[int, type]],
) -> list[str]:
    schema = _resolve(spec, schema)
    if (id(schema), struct.cls) in seen:
        return []
    seen.add((id(schema), struct.cls))
    options = schema.get("oneOf") or schema.get("anyOf")
    if options:
        return _missing(spec, _alternative(spec, options, struct), struct, path, seen)
    fields = {f.encode_name: f for f in struct.fields}
    missing = []
    for name, sub in _properties(spec, schema).items():
        if name == struct.tag_field:
            continue
        if name not in fields:
            missing.append(f"{path}.{name} ({struct.cls.__qualname__})")
            continue
        sub = _resolve(spec, sub)
        if sub.get("type") == "array":
            sub = _resolve(spec, sub.get("items", {}))
        for inner in _structs(fields[name].type):
            missing += _missing(spec, sub, inner, f"{path}.{name}", seen)
    return missing


@pytest.mark.parametrize(
    ("version", "operation_id"),
    [pytest.param(v, op, id=f"v{v}-{op}") for v, op in _REQUEST_MODELS],
)
def test_every_declared_request_property_has_a_model_field(
    version: int, operation_id: str
) -> None:
    """Each property a request schema declares, nested too, is a model field."""
    spec = load_spec(version)
    body = _resolve(spec, _operation_of(version, operation_id)["requestBody"])
    schema = body["content"]["application/json"]["schema"]
    seen: set[tuple[int, type]] = set()
    missing = [
        gap
        for model in _REQUEST_MODELS[(version, operation_id)]
        for struct in _structs(msgspec.inspect.type_info(model))
        for gap in _missing(spec, schema, struct, operation_id, seen)
    ]
    assert missing == []


def test_every_operation_with_a_request_body_is_checked() -> None:
    """The field check above covers every operation that declares a JSON body."""
    with_bodies = {
        (v, op)
        for v in (1, 5)
        for op in operation_ids(v)
        if "requestBody" in _operation_of(v, op)
    }
    assert with_bodies == set(_REQUEST_MODELS)


def _operation_of(version: int, operation_id: str) -> dict[str, Any]:
    for item in load_spec(version)["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                return op
    raise KeyError(operation_id)


def test_the_preview_schema_inline_example_is_built_from_the_models() -> None:
    """V5 preview's one schema-level example (a whole body) builds and round-trips."""
    op = _operation_of(5, "preview_personalized_content_v5")
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    example = schema["properties"]["campaign_content"]["example"]
    model = msgspec.convert(example, V5_REQUESTS["preview_personalized_content_v5"])
    assert isinstance(model, v5.PushPreviewRequest)
    assert to_wire(model) == example
