"""The bundled OpenAPI specs, turned into jsonschema validators per operation.

OpenAPI 3.0 is not quite JSON Schema: ``nullable`` becomes ``anyOf [..., null]``
and a ``oneOf`` with a ``discriminator`` becomes an if/then chain keyed on the
discriminator property, so an error names the real field instead of "is not valid
under any of the given schemas". Needs the ``sandbox`` extra (jsonschema).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

__all__ = [
    "FieldError",
    "OperationSchemas",
    "component_error",
    "iter_operations",
    "load_spec",
    "operation_schemas",
    "to_json_schema",
]


@dataclass(frozen=True, slots=True)
class FieldError:
    """The first problem found in a body: the field's dotted path and why."""

    field: str
    message: str
    missing: bool = False


@functools.cache
def load_spec(version: int) -> dict[str, Any]:
    """The bundled spec (``1`` or ``5``) exactly as MoEngage publishes it."""
    name = f"moengage-campaigns-v{version}.json"
    text = (
        resources.files(__package__).joinpath("specs").joinpath(name).read_text("utf-8")
    )
    spec: dict[str, Any] = json.loads(text)
    return spec


def to_json_schema(node: Any, *, lenient_one_of: bool = False) -> Any:
    """Rewrite OpenAPI 3.0 ``nullable``/``discriminator`` into plain JSON Schema.

    A discriminated ``oneOf`` picks its branch by the property's value; when the
    property is absent, any branch may match. ``lenient_one_of`` (used for
    responses) reads a plain ``oneOf`` as ``anyOf``: the V5 GET schema offers
    Push or Email ``basic_details`` as ``oneOf`` over two schemas that both accept
    any object, which no answer could satisfy literally.
    """
    if isinstance(node, list):
        return [to_json_schema(item, lenient_one_of=lenient_one_of) for item in node]
    if not isinstance(node, dict):
        return node
    out = {
        k: to_json_schema(v, lenient_one_of=lenient_one_of)
        for k, v in node.items()
        if k not in ("example", "examples", "description", "x-mint")
    }
    disc = out.pop("discriminator", None)
    if isinstance(disc, dict) and "mapping" in disc and "oneOf" in out:
        prop = disc["propertyName"]
        out.pop("oneOf")
        mapping: dict[str, str] = disc["mapping"]
        out.setdefault("type", "object")
        props = out.setdefault("properties", {})
        props[prop] = {"enum": list(mapping)}
        out["allOf"] = [
            *out.get("allOf", []),
            *(
                {
                    "if": {
                        "required": [prop],
                        "properties": {prop: {"const": value}},
                    },
                    "then": {"$ref": ref},
                }
                for value, ref in mapping.items()
            ),
            {
                "if": {"not": {"required": [prop]}},
                "then": {"anyOf": [{"$ref": ref} for ref in mapping.values()]},
            },
        ]
    elif lenient_one_of and "oneOf" in out:
        out["anyOf"] = out.pop("oneOf")
    if out.pop("nullable", False):
        return {"anyOf": [out, {"type": "null"}]}
    return out


@functools.cache
def _components(version: int, lenient: bool = False) -> dict[str, Any]:
    components: dict[str, Any] = to_json_schema(
        load_spec(version)["components"], lenient_one_of=lenient
    )
    return components


@functools.cache
def _component_validator(version: int, name: str) -> Any:
    from jsonschema import Draft7Validator, FormatChecker

    root = {
        "$ref": f"#/components/schemas/{name}",
        "components": _components(version),
    }
    return Draft7Validator(root, format_checker=FormatChecker(formats=("email",)))


def component_error(version: int, name: str, body: Any) -> FieldError | None:
    """The first problem of ``body`` against ``components/schemas/<name>``."""
    errors = sorted(_component_validator(version, name).iter_errors(body), key=_rank)
    return None if not errors else _field_error(errors[0])


@dataclass(frozen=True)
class OperationSchemas:
    """Request and response validators of one operation."""

    version: int
    method: str
    path: str
    operation: dict[str, Any]

    @functools.cached_property
    def request_body_required(self) -> bool:
        """True when the spec marks the request body as required."""
        body = self.operation.get("requestBody")
        return bool(isinstance(body, dict) and body.get("required"))

    def _validator(self, schema: Any, *, lenient: bool = False) -> Any:
        from jsonschema import Draft7Validator, FormatChecker

        root = {"allOf": [schema], "components": _components(self.version, lenient)}
        checker = FormatChecker(formats=("email",))
        return Draft7Validator(root, format_checker=checker)

    @functools.cached_property
    def _request(self) -> Any:
        body = self.operation.get("requestBody")
        if not isinstance(body, dict):
            return None
        schema = body.get("content", {}).get("application/json", {}).get("schema")
        return None if schema is None else self._validator(to_json_schema(schema))

    def request_error(self, body: Any) -> FieldError | None:
        """The most relevant problem with a request body, or None when valid."""
        validator = self._request
        if validator is None:
            return None
        errors = sorted(validator.iter_errors(body), key=_rank)
        return None if not errors else _field_error(errors[0])

    def response_schema(self, status: int) -> Any:
        """The JSON Schema of a documented response body (None: no body)."""
        responses = self.operation.get("responses", {})
        response = responses.get(str(status))
        if response is None:
            raise KeyError(f"{self.method} {self.path}: {status} is not documented")
        if "$ref" in response:
            name = response["$ref"].rsplit("/", 1)[-1]
            response = load_spec(self.version)["components"]["responses"][name]
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        return None if schema is None else to_json_schema(schema, lenient_one_of=True)

    def response_errors(self, status: int, body: Any) -> list[str]:
        """Why a response body does not match its documented schema (``[]``: fine)."""
        schema = self.response_schema(status)
        if schema is None:
            return [] if body is None else [f"{status} documents no body"]
        validator = self._validator(schema, lenient=True)
        return [f"{_path(e)}: {e.message}" for e in validator.iter_errors(body)]


def _rank(error: Any) -> tuple[int, int, str]:
    # Prefer the shallowest, most concrete error (a missing field over a deep oneOf).
    return (len(error.absolute_path), 0 if error.validator == "required" else 1, "")


def _path(error: Any) -> str:
    return ".".join(str(p) for p in error.absolute_path) or "body"


def _leaf(error: Any) -> Any:
    # For an if/then or allOf wrapper, descend to the innermost concrete cause.
    while error.context:
        error = sorted(error.context, key=_rank)[0]
    return error


def _field_error(error: Any) -> FieldError:
    error = _leaf(error)
    if error.validator == "required":
        missing = next(
            (r for r in error.validator_value if r not in error.instance), "body"
        )
        parts = [*(str(p) for p in error.absolute_path), missing]
        field = ".".join(parts)
        return FieldError(field, f"{missing} key is mandatory field", missing=True)
    field = _path(error)
    return FieldError(field, f"{field}: {error.message}")


def iter_operations(version: int) -> Iterator[OperationSchemas]:
    """Every operation of a spec."""
    spec = load_spec(version)
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "responses" in op:
                yield OperationSchemas(version, method.upper(), path, op)


@functools.cache
def operation_schemas(version: int, method: str, path: str) -> OperationSchemas:
    """The schemas of the operation at ``method path`` (spec-relative path)."""
    op = load_spec(version)["paths"][path][method.lower()]
    return OperationSchemas(version, method.upper(), path, op)
