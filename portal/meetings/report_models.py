"""Models of the compiled rakor report (issue 8)."""
