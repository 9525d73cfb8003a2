"""Pytest plugins of the suite, loaded by ``tests/conftest.py``: ``database`` (the ``app`` fixture and
its per-test transaction) and ``browser`` (live server, Chromium, axe)."""
