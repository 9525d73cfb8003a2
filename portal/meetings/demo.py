"""Demo rakor meetings (issue 7)."""

from __future__ import annotations

import random


def seed(rng: random.Random) -> str:
    """Add demo meetings; returns a one-line summary."""
    return ""
