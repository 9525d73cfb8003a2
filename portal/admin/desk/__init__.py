"""The OPD liaison desk: their own OPD's complaints, follow-ups, answer templates."""
