"""Judge request and response bodies against MoEngage's own OpenAPI specs.

The two OpenAPI documents bundled with the sandbox
(``moengage_async/sandbox/specs/*.json``, MoEngage's YAML converted once to JSON and
checked against the published YAML by ``.ci/test_reference_specs.py``) are the
referee: a body the client sends (or a canned answer a test server returns) must
validate against the schema the spec declares for that operation. Import from any test::

    from tests.spec_validation import validate_request, validate_response

    validate_request(1, "change_campaign_status", body_bytes)
    validate_response(5, "get_single_campaign_v5", 200, response_bytes)

API (all functions take ``version`` as ``1``/``5`` or ``"v1"``/``"v5"``, and a body as
bytes, str, or already-decoded JSON):

- ``validate_request(version, operation_id, body)``: the operation's request schema.
- ``validate_response(version, operation_id, status, body)``: the schema declared for
  that status (``$ref`` into ``#/components/responses`` followed). A status declared
  without content (V1 update's 204) accepts only an empty body; an undeclared status
  fails.
- ``request_examples(version)`` / ``response_examples(version)``: every example body in
  the spec as ``Example(operation_id, name, status, value)`` for parametrized tests.
- ``operation_ids(version)``: the spec's operation ids.

Failures raise ``SpecValidationError`` (an ``AssertionError``) listing every
violation with its JSON path, so pytest shows them all at once.

OpenAPI 3.0 is not JSON Schema, so schemas are translated once per spec:
``nullable: true`` widens ``type`` with ``"null"``; ``oneOf`` becomes ``anyOf`` (the
specs' alternatives overlap, e.g. the V5 PATCH bodies where every field is optional,
so "exactly one" is unsatisfiable for bodies the spec itself shows), and a
``discriminator`` with a mapping adds ``if``/``then`` rules so a body whose tag says
``EMAIL`` is judged by the Email schema alone. ``$ref`` into ``#/components/schemas``
resolves through a ``referencing`` registry holding the translated spec.
``additionalProperties`` is left as the spec says (mostly unset), so unknown keys are
accepted, like MoEngage's server. ``format`` is not asserted.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import Any, NamedTuple

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from moengage_async.sandbox._schemas import load_spec as bundled_spec

__all__ = [
    "Example",
    "SpecValidationError",
    "load_spec",
    "operation_ids",
    "request_examples",
    "response_examples",
    "validate_request",
    "validate_response",
]

_VERSIONS = (1, 5)
_METHODS = ("get", "put", "post", "patch", "delete")


class SpecValidationError(AssertionError):
    """Raised when a body does not match the spec's schema (or the spec lacks one)."""


class Example(NamedTuple):
    """One example body from the spec; ``status`` is ``None`` for request bodies."""

    operation_id: str
    name: str
    status: int | None
    value: Any

    @property
    def id(self) -> str:
        """A readable pytest id such as ``create_campaign-201-example``."""
        middle = "" if self.status is None else f"-{self.status}"
        return f"{self.operation_id}{middle}-{self.name}"


def _version(version: int | str) -> int:
    number = int(str(version).lower().lstrip("v"))
    if number not in _VERSIONS:
        raise ValueError(f"unknown API version {version!r}; expected 1 or 5")
    return number


@functools.cache
def load_spec(version: int | str) -> dict[str, Any]:
    """Return the parsed OpenAPI document of a version (cached), as bundled."""
    return bundled_spec(_version(version))


def _translate(node: Any, uri: str) -> Any:
    """Return an OpenAPI 3.0 schema fragment as JSON Schema 2020-12.

    Local ``$ref``s become absolute (``uri#/components/...``) so a translated inline
    schema resolves against the spec wherever it is validated from.
    """
    if isinstance(node, list):
        return [_translate(item, uri) for item in node]
    if not isinstance(node, dict):
        return node
    dropped = ("nullable", "discriminator", "example", "examples", "oneOf")
    out = {k: _translate(v, uri) for k, v in node.items() if k not in dropped}
    if isinstance(out.get("$ref"), str) and out["$ref"].startswith("#/"):
        out["$ref"] = uri + out["$ref"]
    if node.get("nullable") is True:
        if "type" in out:
            kind = out["type"]
            out["type"] = [*kind, "null"] if isinstance(kind, list) else [kind, "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    if "oneOf" in node:
        out["anyOf"] = _translate(node["oneOf"], uri)
    mapping = (node.get("discriminator") or {}).get("mapping")
    if mapping:
        tag = node["discriminator"]["propertyName"]
        out["allOf"] = [
            *out.get("allOf", []),
            *(
                {
                    "if": {"properties": {tag: {"const": value}}, "required": [tag]},
                    "then": {"$ref": uri + ref if ref.startswith("#/") else ref},
                }
                for value, ref in mapping.items()
            ),
        ]
    return out


def _uri(version: int) -> str:
    return f"urn:moengage-campaigns-v{version}"


@functools.cache
def _registry(version: int) -> Registry:
    uri = _uri(version)
    translated = {"components": _translate(load_spec(version).get("components"), uri)}
    resource = Resource.from_contents(translated, default_specification=DRAFT202012)
    registry: Registry = Registry().with_resource(uri, resource)
    return registry


def _operations(version: int) -> dict[str, dict[str, Any]]:
    ops: dict[str, dict[str, Any]] = {}
    for item in load_spec(version)["paths"].values():
        for method in _METHODS:
            op = item.get(method)
            if isinstance(op, dict) and "operationId" in op:
                ops[op["operationId"]] = op
    return ops


def operation_ids(version: int | str) -> list[str]:
    """Return the operation ids the spec of ``version`` defines, in spec order."""
    return list(_operations(_version(version)))


def _operation(version: int, operation_id: str) -> dict[str, Any]:
    try:
        return _operations(version)[operation_id]
    except KeyError:
        known = ", ".join(_operations(version))
        raise SpecValidationError(
            f"v{version} spec has no operation {operation_id!r}; known: {known}"
        ) from None


def _deref(version: int, node: dict[str, Any]) -> dict[str, Any]:
    """Follow a ``$ref`` to ``#/components/...`` (requestBodies, responses)."""
    while "$ref" in node:
        target: Any = load_spec(version)
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def _json_content(version: int, node: dict[str, Any]) -> dict[str, Any] | None:
    content = _deref(version, node).get("content") or {}
    found: dict[str, Any] | None = content.get("application/json")
    return found


def _decode(body: Any) -> Any:
    if isinstance(body, (bytes, bytearray, memoryview)):
        body = bytes(body).decode("utf-8")
    if isinstance(body, str):
        try:
            return json.loads(body)
        except json.JSONDecodeError as exc:
            raise SpecValidationError(
                f"body is not JSON: {exc}: {body[:200]!r}"
            ) from None
    return body


def _check(version: int, schema: dict[str, Any], instance: Any, where: str) -> None:
    translated = _translate(schema, _uri(version))
    validator = jsonschema.Draft202012Validator(translated, registry=_registry(version))
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
    if errors:
        lines = [_describe(error) for error in errors]
        raise SpecValidationError(f"{where} violates the spec:\n" + "\n".join(lines))


def _describe(error: jsonschema.ValidationError) -> str:
    """One line per violation; for a failed ``anyOf``, the most relevant cause."""
    if error.context:
        error = jsonschema.exceptions.best_match(error.context)
    path = "/".join(str(part) for part in error.absolute_path)
    return f"  at /{path}: {error.message:.300}"


def validate_request(version: int | str, operation_id: str, body: Any) -> None:
    """Assert ``body`` matches the request schema of ``operation_id``.

    Raises:
        SpecValidationError: the body violates the schema, or the operation has none.
    """
    number = _version(version)
    op = _operation(number, operation_id)
    request_body = op.get("requestBody")
    content = None if request_body is None else _json_content(number, request_body)
    if content is None or "schema" not in content:
        raise SpecValidationError(f"v{number} {operation_id} declares no JSON body")
    _check(
        number, content["schema"], _decode(body), f"v{number} {operation_id} request"
    )


def validate_response(
    version: int | str, operation_id: str, status: int, body: Any
) -> None:
    """Assert ``body`` matches what ``operation_id`` declares for HTTP ``status``.

    Raises:
        SpecValidationError: undeclared status, a body where none is declared, or a
            body that violates the schema.
    """
    number = _version(version)
    op = _operation(number, operation_id)
    responses = op.get("responses", {})
    declared = responses.get(str(status), responses.get(status))
    if declared is None:
        raise SpecValidationError(
            f"v{number} {operation_id} declares no {status} response "
            f"(declared: {', '.join(str(s) for s in responses)})"
        )
    content = _json_content(number, declared)
    where = f"v{number} {operation_id} {status} response"
    if content is None or "schema" not in content:
        if body not in (None, b"", ""):
            raise SpecValidationError(f"{where} declares no body, got {body!r:.200}")
        return
    _check(number, content["schema"], _decode(body), where)


def _examples_of(media: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    if "example" in media:
        yield "example", media["example"]
    for name, example in (media.get("examples") or {}).items():
        if "value" in example:
            yield name, example["value"]


def request_examples(version: int | str) -> list[Example]:
    """Return every request-body example of the spec."""
    number = _version(version)
    found = []
    for op_id, op in _operations(number).items():
        body = op.get("requestBody")
        media = None if body is None else _json_content(number, body)
        for name, value in _examples_of(media or {}):
            found.append(Example(op_id, name, None, value))
    return found


def response_examples(version: int | str) -> list[Example]:
    """Return every response-body example of the spec, with its status."""
    number = _version(version)
    found = []
    for op_id, op in _operations(number).items():
        for status, response in op.get("responses", {}).items():
            media = _json_content(number, response)
            for name, value in _examples_of(media or {}):
                found.append(Example(op_id, name, int(status), value))
    return found
