"""The semiannual rakor report: preview, approval, PDF, leadership reading room (issue 8)."""

from __future__ import annotations
