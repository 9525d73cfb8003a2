"""Complaint intake (issue 3): LAPOR! import upload and staff entry."""

from __future__ import annotations
