"""Intake: LAPOR! import pages and staff entry of complaints."""
