"""MLflow and Dagster runs that know each other, through dagster-mlflow: each Dagster run has its MLflow run, every
model trained in it is an MLflow run nested under it and tagged with the asset and partition, and every model
materialization links back to its MLflow run and registered version.

MLflow and dagster-mlflow are imported when a step uses the resource, not with the Dagster definitions."""

import contextlib
import warnings
from collections.abc import Iterator

import dagster as dg
from pydantic import PrivateAttr

# dagster-mlflow is marked beta, and uses Dagster's beta APIs itself: notes for developers, not RiskHub's users
warnings.filterwarnings("ignore", category=dg.BetaWarning, module="dagster_mlflow")
warnings.filterwarnings("ignore", message="Dagster resource `mlflow_tracking` is", category=dg.BetaWarning)

DAGSTER_RUNS_EXPERIMENT = "riskhub-dagster-runs"
"""MLflow experiment holding one run per Dagster run that trained models (dagster-mlflow's run), the parent of each."""
DAGSTER_RUN_TAG, ASSET_TAG, PARTITION_TAG = "dagster_run_id", "dagster_asset_key", "dagster_partition"
UI_URL_VAR = "RISKHUB_MLFLOW_UI_URL"


class MlflowTracking(dg.ConfigurableResource):
    """The Dagster run's MLflow run, opened (or resumed by another step's process) by dagster-mlflow's
    `mlflow_tracking`, and where users browse MLflow (RISKHUB_MLFLOW_UI_URL; a server tracking URI is its own UI)."""

    tracking_uri: str
    ui_url: str = ""
    _dagster_run_id: str = PrivateAttr(default="")
    _mlflow_run_id: str = PrivateAttr(default="")

    @contextlib.contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator["MlflowTracking"]:
        """Open the Dagster run's MLflow run for the step (dagster-mlflow finds it again by its dagster_run_id tag)
        and end it after, so a run is never left RUNNING; nested training runs record their own failures."""
        from dagster_mlflow import mlflow_tracking

        from riskhub_assets.lib import tracking

        tracking.use_store(self.tracking_uri)
        tracking.use_experiment(DAGSTER_RUNS_EXPERIMENT)  # created beside the store, not in the working folder
        config = {"experiment_name": DAGSTER_RUNS_EXPERIMENT, "mlflow_tracking_uri": self.tracking_uri}
        with contextlib.contextmanager(mlflow_tracking.resource_fn)(context.replace_config(config)) as run:
            # dagster-mlflow's MlFlow proxies mlflow: the run it started or resumed is the active one
            self._dagster_run_id, self._mlflow_run_id = run.dagster_run_id, run.active_run().info.run_id
            try:
                yield self
            finally:  # Dagster may close this generator rather than resume it
                tracking.end_open_run(self._mlflow_run_id)

    def training_tags(self, context: dg.AssetExecutionContext) -> dict[str, str]:
        """Tags of a model's training run: the Dagster run, asset and partition that trained it, under the Dagster
        run's MLflow run."""
        from riskhub_assets.lib import tracking

        tags = {
            DAGSTER_RUN_TAG: self._dagster_run_id,
            ASSET_TAG: context.asset_key.to_user_string(),
            tracking.PARENT_RUN_TAG: self._mlflow_run_id,
        }
        if context.has_partition_key:
            tags[PARTITION_TAG] = context.partition_key
        return tags

    @property
    def ui(self) -> str:
        """Where users browse MLflow, or "" when no UI address is known (a local SQLite store has none)."""
        if self.ui_url:
            return self.ui_url.rstrip("/")
        return self.tracking_uri.rstrip("/") if self.tracking_uri.startswith(("http://", "https://")) else ""

    def model_links(self, name: str, model_version: str) -> dict:
        """Materialization metadata naming the MLflow run that logged a registered model version (the metadata's
        `model` and `version`), with links to both in the MLflow UI when its address is known."""
        from riskhub_assets.lib import tracking

        experiment_id, run_id = tracking.version_run(name, model_version)
        links = {"mlflow_run_id": run_id}
        if self.ui:
            links["mlflow_run_url"] = dg.MetadataValue.url(f"{self.ui}/#/experiments/{experiment_id}/runs/{run_id}")
            links["model_version_url"] = dg.MetadataValue.url(f"{self.ui}/#/models/{name}/versions/{model_version}")
        return links
