"""Oversight: complaints past their stage deadline (Ombudsman, leadership, Kominfo)."""
