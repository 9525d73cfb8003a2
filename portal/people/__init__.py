"""People: OPDs, staff accounts and the liaison roster (who serves an OPD, from when to when)."""
