"""Job functions for the job-queue tests."""

from portal.core import jobs


def add(job_id, a, b):
    jobs.progress(job_id, 1, 1, "added")
    return {"sum": a + b}
