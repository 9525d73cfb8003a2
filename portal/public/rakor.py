"""Published rakor reports for the public (issue 8)."""

from __future__ import annotations
