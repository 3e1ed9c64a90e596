"""Model training assets: labels, the default scorecard, churn and anomaly models, tracked and registered in MLflow."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from riskhub_assets.lib import labels, training
from riskhub_assets.lib.model_outcome import NotEnoughHistory
from riskhub_assets.lib.model_specs import ANOMALY_TRAINING_DAYS, CHURN, DEFAULT, PSI_GATE, ClientModel
from riskhub_assets.lib.quality import run_table_checks, table_check_names
from riskhub_assets.lib.sqltext import describe
from riskhub_assets.orchestration.mlflow_tracking import MlflowTracking
from riskhub_assets.orchestration.observability import check_result, check_specs, gate_result, table_metadata
from riskhub_assets.orchestration.policy import writer
from riskhub_assets.orchestration.resources import ModelStore
from riskhub_assets.orchestration.table_assets import asset_key, table_spec_args
from riskhub_assets.tables import table

GROUP = "models"
OWNERS = ["team:risk-modelling"]


class LabelConfig(dg.Config):
    horizon_days: int = labels.HORIZON_DAYS


class TrainingConfig(dg.Config):
    window_days: int = training.WINDOW_DAYS
    """Learn from and validate on the labelled as-of dates of the latest N days."""


LABELS = table("features.client_labels")


@dg.asset(
    **table_spec_args(LABELS),
    kinds={"duckdb"},
    check_specs=check_specs(asset_key(LABELS.name), table_check_names(LABELS)),
)
def client_labels(context: dg.AssetExecutionContext, config: LabelConfig, duckdb: DuckDBResource):
    with duckdb.get_connection() as con:
        try:
            summary = labels.write_client_labels(con, LABELS.name, config.horizon_days)
        except NotEnoughHistory as error:
            raise dg.Failure(str(error)) from error
        describe(con, LABELS)
        metadata = table_metadata(con, LABELS)
        outcomes = run_table_checks(con, LABELS)
    rates = {f"rate_{k}": v for k, v in summary.rates.items()}
    yield dg.MaterializeResult(metadata={**metadata, "as_of_dates": summary.as_of_dates, **rates})
    for outcome in outcomes:
        yield check_result(outcome)


def client_model_asset(spec: ClientModel) -> dg.AssetsDefinition:
    """Factory: train, validate out of time, log to MLflow, register, and promote only a winner that passes its gates."""
    key = dg.AssetKey(["models", spec.name.removeprefix("riskhub_")])

    @dg.asset(
        key=key,
        deps=[dg.AssetKey(["features", "client_labels"]), dg.AssetKey(["features", "client_features"])],
        description=spec.description,
        group_name=GROUP,
        kinds={"mlflow", "scikitlearn"},
        owners=OWNERS,
        **writer(partitioned=False),
        check_specs=[dg.AssetCheckSpec(g, asset=key, blocking=False) for g in spec.gates],
    )
    def _model(
        context: dg.AssetExecutionContext,
        config: TrainingConfig,
        duckdb: DuckDBResource,
        model_store: ModelStore,
        mlflow: MlflowTracking,
    ):
        from riskhub_assets.lib import (
            model_training,  # scikit-learn, MLflow: imported when it trains, not with the definitions
        )

        with duckdb.get_connection() as con:
            frame = training.labelled_frame(con, spec.population, config.window_days)
        try:
            outcome = model_training.train_client_model(
                spec, frame, mlflow.training_tags(context), context.log, model_store.min_training_events
            )
        except NotEnoughHistory as error:
            raise dg.Failure(str(error)) from error
        calibration = dg.MetadataValue.md(outcome.metadata["calibration_by_grade"])
        links = mlflow.model_links(spec.name, outcome.version)
        yield dg.MaterializeResult(metadata={**outcome.metadata, "calibration_by_grade": calibration, **links})
        for verdict in outcome.gates:
            yield gate_result(verdict)

    return _model


ANOMALY_KEY = dg.AssetKey(["models", "anomaly_model"])


@dg.asset(
    key=ANOMALY_KEY,
    deps=[dg.AssetKey(["warehouse", "fact_transactions"]), dg.AssetKey(["features", "client_features"])],
    description=f"Isolation Forest on the {ANOMALY_TRAINING_DAYS} days of transactions before the latest (amount"
    " against the client's usual, hour, merchant, country, pace of the account), its score stability checked on the"
    " latest day; the newest model becomes champion (there is no fraud label to compare models on).",
    group_name=GROUP,
    kinds={"mlflow", "scikitlearn"},
    owners=OWNERS,
    **writer(partitioned=False),
    check_specs=[dg.AssetCheckSpec(PSI_GATE, asset=ANOMALY_KEY, blocking=False)],
)
def anomaly_model(context: dg.AssetExecutionContext, duckdb: DuckDBResource, mlflow: MlflowTracking):
    from riskhub_assets.lib import (
        model_training,  # scikit-learn, MLflow: imported when it trains, not with the definitions
    )

    with duckdb.get_connection() as con:
        frame, last = model_training.anomaly_training_frame(con)
    outcome = model_training.train_anomaly_model(frame, last, mlflow.training_tags(context))
    links = mlflow.model_links(outcome.metadata["model"], outcome.version)
    yield dg.MaterializeResult(metadata={**outcome.metadata, **links})
    for verdict in outcome.gates:
        yield gate_result(verdict)


model_assets = [client_labels, client_model_asset(DEFAULT), client_model_asset(CHURN), anomaly_model]
