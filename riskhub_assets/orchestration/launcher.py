"""The run launcher of RiskHub's Dagster instance: Dagster's own, plus the health check its run monitoring needs."""

import dagster as dg
from dagster._core.launcher import CheckRunHealthResult, LaunchRunContext, WorkerStatus

from riskhub_assets.orchestration import recovery


class RiskHubRunLauncher(dg.DefaultRunLauncher):
    """Dagster's DefaultRunLauncher (run workers are processes on this host), which also answers run monitoring's
    "is this run's worker alive?" so a run whose process died is failed and its pool slot freed (dagster.yaml)."""

    def launch_run(self, context: LaunchRunContext) -> None:
        """Record the host the run's worker process starts on, then launch it as Dagster does."""
        self._instance.add_run_tags(context.dagster_run.run_id, {recovery.HOST_TAG: recovery.this_host()})
        super().launch_run(context)

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: dg.DagsterRun) -> CheckRunHealthResult:
        """FAILED when the run's process on this host is gone, else RUNNING (a worker elsewhere cannot be seen)."""
        reason = recovery.run_worker_gone(self._instance, run)
        if reason is None:
            return CheckRunHealthResult(WorkerStatus.RUNNING)
        return CheckRunHealthResult(WorkerStatus.FAILED, reason)
