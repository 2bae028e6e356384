"""Typed request and response models: ``models.v1`` and ``models.v5``."""

from __future__ import annotations

__all__: list[str] = []
