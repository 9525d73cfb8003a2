"""Open311 API keys that Kominfo issues and revokes (issue 6)."""

from __future__ import annotations
