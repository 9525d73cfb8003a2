"""The complaint domain: models, statuses and transitions, stats, redaction, import."""
