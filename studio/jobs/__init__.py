"""One runner for every long job: a subprocess per job, its run folder, true status, one GPU lease."""

from .context import JobContext, JobStopped
from .files import ACTIVE_STATES, FINAL_STATES, read_events
from .runner import JobRunner, job_status, new_run_id

__all__ = ["ACTIVE_STATES", "FINAL_STATES", "JobContext", "JobRunner", "JobStopped", "job_status", "new_run_id", "read_events"]
