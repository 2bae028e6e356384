"""The OpenAPI documents bundled in the package equal MoEngage's published YAML.

The repository carries one copy of MoEngage's two OpenAPI documents:
``moengage_async/sandbox/specs/*.json``, converted once from the YAML. The sandbox
serves from it and the test suite judges bodies against it. This check compares it,
parsed, with the YAML in a reference folder outside the repository, so any drift
(a new MoEngage release, a hand edit) is caught.

It is not part of the default suite (``testpaths`` is ``tests``): it needs the
reference folder, and a suite that skips fails CI. Run it explicitly::

    python -m pytest .ci/test_reference_specs.py     # ../shared/reference/openapi
    MOENGAGE_OPENAPI_DIR=/path/to/openapi python -m pytest .ci/test_reference_specs.py

A missing reference folder fails the check; it never skips.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from moengage_async.sandbox._schemas import load_spec

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = Path(
    os.environ.get(
        "MOENGAGE_OPENAPI_DIR", ROOT.parent / "shared" / "reference" / "openapi"
    )
)


@pytest.mark.parametrize("version", [1, 5])
def test_the_bundled_spec_equals_the_reference_yaml(version: int) -> None:
    """``sandbox/specs/*.json`` holds exactly what the reference YAML says."""
    source = REFERENCE / f"moengage-campaigns-v{version}.yml"
    assert source.is_file(), f"reference spec not found at {source}"
    with source.open(encoding="utf-8") as fh:
        # libyaml's loader when present: the pure-Python one takes seconds here.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        reference = yaml.load(fh, Loader=loader)
    assert load_spec(version) == reference
