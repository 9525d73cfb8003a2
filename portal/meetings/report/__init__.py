"""The compiled rakor report: figures (``build``), model, operations, routes, CLI."""
