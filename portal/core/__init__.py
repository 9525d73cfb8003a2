"""Cross-cutting pieces: database base, auth and roles, htmx rendering, calendar, jobs."""
