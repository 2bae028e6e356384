"""Typed V5 request builders for the ``test_v5_*`` tests, made from spec examples."""

from __future__ import annotations

import copy
import json
from typing import Any

import msgspec

from moengage_async.models import v5
from tests.spec_validation import request_examples, response_examples

__all__ = [
    "CID",
    "email_draft",
    "example_answer",
    "nested_preview_answer",
    "preview_request",
    "publishable_patch",
    "push_draft",
    "request_example",
    "inline_test",
]

#: A well-formed 24-hex ObjectId for canned (recorder) answers.
CID = "64a1b2c3d4e5f6a7b8c9d0e1"

_FILL = {
    "{{created_by}}": "owner@example.com",
    "{{user_email}}": "owner@example.com",
    "{{creator_email}}": "owner@example.com",
    "{{campaign_delivery_type}}": "ONE_TIME",
    "{{connector_type}}": "SENDGRID",
    "{{from_email}}": "news@example.com",
    "{{reply_to_address}}": "reply@example.com",
    "{{recipient_email}}": "qa@example.com",
}


def request_example(op: str, name: str, version: int = 5) -> dict[str, Any]:
    """A spec request example (deep copy, placeholders filled, no request_id)."""
    for ex in request_examples(version):
        if ex.operation_id == op and ex.name == name:
            text = json.dumps(copy.deepcopy(ex.value))
            for placeholder, real in _FILL.items():
                text = text.replace(placeholder, real)
            value: dict[str, Any] = json.loads(text)
            value.pop("request_id", None)
            return value
    raise LookupError(f"{op}/{name}")


def example_answer(op: str, name: str) -> Any:
    """A spec V5 response example body."""
    for ex in response_examples(5):
        if ex.operation_id == op and ex.name == name:
            return copy.deepcopy(ex.value)
    raise LookupError(f"{op}/{name}")


def push_draft(**changes: Any) -> v5.PushDraft:
    """The spec's Push One-time draft as a typed model."""
    body = request_example("create_draft_campaign_v5", "push_one_time")
    body.update(changes)
    return msgspec.convert(body, v5.PushDraft)


def email_draft() -> v5.EmailDraft:
    """The spec's Email One-time draft as a typed model."""
    body = request_example("create_draft_campaign_v5", "email_one_time")
    return msgspec.convert(body, v5.EmailDraft)


def publishable_patch() -> v5.PushDraftPatch:
    """Components that complete the Push draft for publishing (from V1's example)."""
    v1 = request_example("create_campaign", "push_one_time_android_ios", version=1)
    body = {
        "segmentation_details": v1["segmentation_details"],
        "delivery_controls": v1["delivery_controls"],
        "advanced": {},
    }
    return msgspec.convert(body, v5.PushDraftPatch)


def inline_test(**changes: Any) -> v5.PushTestRequest:
    """The spec's inline Push test as a typed model (``None`` drops a key)."""
    body = request_example("test_campaign_v5", "push_inline")
    body.update(changes)
    body = {k: v for k, v in body.items() if v is not None}
    return msgspec.convert(body, v5.PushTestRequest)


def preview_request() -> v5.PushPreviewRequest:
    """The spec's Push preview as a typed model."""
    body = request_example("preview_personalized_content_v5", "push_preview")
    return msgspec.convert(body, v5.PushPreviewRequest)


def nested_preview_answer() -> dict[str, Any]:
    """The spec's 200 preview example: an envelope nested inside the content."""
    content = {
        "content": {
            "push": {
                "android": {
                    "template_type": "BASIC",
                    "basic_details": {
                        "title": "Hello, Jane!",
                        "message": "Running Shoes is waiting for you.",
                    },
                }
            }
        }
    }
    inner = {
        "response_id": "preview-001",
        "type": "personalization",
        "data": {"personalized_content": content},
    }
    return {
        "response_id": "preview-001",
        "type": "personalization",
        "data": {"personalized_content": inner},
    }
