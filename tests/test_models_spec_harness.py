"""The spec-validation harness itself: it passes good bodies and fails bad ones."""

from __future__ import annotations

import pytest

from tests.spec_validation import (
    SpecValidationError,
    operation_ids,
    request_examples,
    response_examples,
    validate_request,
    validate_response,
)

EMAIL_CREATE = {
    "request_id": "r",
    "channel": "EMAIL",
    "campaign_delivery_type": "ONE_TIME",
    "created_by": "a@b.c",
    "basic_details": {
        "name": "n",
        "content_type": "TRANSACTIONAL",
        "user_attribute_identifier": "MOE_EMAIL_ID",
    },
    "connector": {"connector_type": "SENDGRID", "connector_name": "main"},
    "campaign_content": {
        "content": {
            "email": {
                "subject": "s",
                "sender_name": "n",
                "from_address": "f@b.c",
                "reply_to_address": "r@b.c",
            }
        }
    },
    "segmentation_details": {},
    "scheduling_details": {"delivery_type": "ASAP"},
}


def test_a_complete_email_create_body_passes() -> None:
    """A body with every field the Email schema requires validates."""
    validate_request("v1", "create_campaign", EMAIL_CREATE)


def test_the_discriminator_picks_the_email_schema() -> None:
    """An EMAIL body without ``connector`` fails on the Email schema's requirement."""
    body = {k: v for k, v in EMAIL_CREATE.items() if k != "connector"}
    with pytest.raises(SpecValidationError, match="'connector' is a required"):
        validate_request(1, "create_campaign", body)


def test_refs_inside_inline_response_schemas_resolve() -> None:
    """The V5 envelope's ``allOf`` + ``$ref`` data schema is enforced."""
    with pytest.raises(SpecValidationError, match="at /data/id"):
        validate_response(5, "create_draft_campaign_v5", 201, {"data": {"id": 7}})


def test_nullable_fields_accept_null() -> None:
    """``nullable: true`` (V5 meta reachability) admits ``null``."""
    body = {"data": {"campaigns": [{"campaign_id": "c", "reachability_details": None}]}}
    validate_response(5, "get_campaign_meta_v5", 200, body)


def test_bodies_may_be_bytes_or_text() -> None:
    """Raw JSON bytes are decoded before validation."""
    validate_response(1, "create_campaign", 201, b'{"campaign_id": "c"}')


def test_a_declared_empty_response_refuses_a_body() -> None:
    """V1 update declares 204 without content: a body there is a violation."""
    validate_response(1, "update_campaign", 204, b"")
    with pytest.raises(SpecValidationError, match="declares no body"):
        validate_response(1, "update_campaign", 204, b"{}")


def test_an_undeclared_status_fails() -> None:
    """A status the operation does not document is reported, with the known ones."""
    with pytest.raises(SpecValidationError, match="declares no 418"):
        validate_response(1, "create_campaign", 418, {})


def test_an_unknown_operation_fails() -> None:
    """A typo in the operation id fails loudly instead of passing."""
    with pytest.raises(SpecValidationError, match="no operation"):
        validate_request(5, "create_campaign", {})


def test_non_json_bodies_fail() -> None:
    """Truncated JSON is a violation, not a crash."""
    with pytest.raises(SpecValidationError, match="not JSON"):
        validate_request(1, "change_campaign_status", b'{"action": "ST')


def test_examples_cover_both_specs_with_readable_ids() -> None:
    """Both specs yield request and response examples named ``op[-status]-name``."""
    assert len(operation_ids(1)) == 9 and len(operation_ids(5)) == 9
    first = request_examples(1)[0]
    assert first.id == f"{first.operation_id}-{first.name}"
    assert any(ex.id == "create_campaign-201-example" for ex in response_examples(1))
