"""The specs bundled in the package are MoEngage's, unchanged (drift is caught)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from moengage_async.sandbox._schemas import load_spec, to_json_schema

REFERENCE = Path(
    os.environ.get(
        "MOENGAGE_OPENAPI_DIR",
        Path(__file__).resolve().parents[1] / ".." / "shared" / "reference" / "openapi",
    )
)


@pytest.mark.parametrize("version", [1, 5])
def test_the_bundled_spec_equals_the_reference_yaml(version: int) -> None:
    """``sandbox/specs/*.json`` holds exactly what the reference YAML says."""
    source = REFERENCE / f"moengage-campaigns-v{version}.yml"
    if not source.exists():
        pytest.skip(f"reference spec not found at {source}")
    with source.open(encoding="utf-8") as fh:
        # libyaml's loader when present: the pure-Python one takes seconds here.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        assert load_spec(version) == yaml.load(fh, Loader=loader)


def test_nullable_becomes_a_null_alternative() -> None:
    """OpenAPI ``nullable: true`` turns into ``anyOf [schema, null]``."""
    schema = to_json_schema({"type": "string", "nullable": True})
    assert schema == {"anyOf": [{"type": "string"}, {"type": "null"}]}


def test_a_discriminator_selects_the_schema_by_its_property() -> None:
    """A ``oneOf`` with a discriminator mapping becomes an if/then per value."""
    schema = to_json_schema(
        {
            "oneOf": [{"$ref": "#/a"}, {"$ref": "#/b"}],
            "discriminator": {
                "propertyName": "channel",
                "mapping": {"PUSH": "#/a", "EMAIL": "#/b"},
            },
        }
    )
    assert schema["properties"] == {"channel": {"enum": ["PUSH", "EMAIL"]}}
    assert schema["allOf"][0] == {
        "if": {"required": ["channel"], "properties": {"channel": {"const": "PUSH"}}},
        "then": {"$ref": "#/a"},
    }


def test_without_the_discriminator_any_branch_may_match() -> None:
    """When the discriminator property is absent, the body must fit some branch."""
    schema = to_json_schema(
        {
            "oneOf": [{"$ref": "#/a"}, {"$ref": "#/b"}],
            "discriminator": {
                "propertyName": "channel",
                "mapping": {"PUSH": "#/a", "EMAIL": "#/b"},
            },
        }
    )
    assert schema["allOf"][-1] == {
        "if": {"not": {"required": ["channel"]}},
        "then": {"anyOf": [{"$ref": "#/a"}, {"$ref": "#/b"}]},
    }
