"""Rakor models (issue 7/8)."""
