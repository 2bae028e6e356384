"""OpenAPI 3.0 schemas become plain JSON Schema the same way everywhere.

That the bundled ``sandbox/specs/*.json`` equal MoEngage's published YAML is checked
by ``.ci/test_reference_specs.py``, which needs the reference copy beside the
repository and is run on its own (``.ci/run``), not by the default suite.
"""

from __future__ import annotations

from moengage_async.sandbox._schemas import to_json_schema


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
