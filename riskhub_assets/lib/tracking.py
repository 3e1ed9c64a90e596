"""MLflow tracking and registry for RiskHub models: runs that end honestly, models promoted only when they win."""

import contextlib
import io
import os
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
from mlflow import MlflowClient
from mlflow.entities import RunStatus
from mlflow.models import infer_signature

from riskhub_assets.lib import settings

CHAMPION, CHALLENGER = "champion", "challenger"
PIP_REQUIREMENTS = [
    f"{package}=={version(package)}" for package in ("scikit-learn", "xgboost-cpu", "pandas", "numpy", "cloudpickle")
]
"""Explicit requirements logged with each model: inferring them took 6 to 11 s a model."""


def tracking_uri() -> str:
    """MLflow tracking server from RISKHUB_MLFLOW_TRACKING_URI, else a local SQLite store under the data folder.

    Not MLFLOW_TRACKING_URI: MLflow itself rewrites that variable whenever a tracking URI is set in the process.
    """
    return os.environ.get("RISKHUB_MLFLOW_TRACKING_URI") or f"sqlite:///{settings.data_dir() / 'mlflow.db'}"


def artifact_root() -> Path:
    """Where a local store keeps model files and plots."""
    return settings.data_dir() / "mlartifacts"


def use_store() -> MlflowClient:
    """Point this process's MLflow at RiskHub's tracking store and registry, and a client on them.

    Every registry read goes through here: a fresh process (a daily run's worker) would otherwise read MLflow's own
    default, ./mlflow.db, and find no champion.
    """
    mlflow.set_tracking_uri(tracking_uri())
    mlflow.set_registry_uri(tracking_uri())
    return MlflowClient()


def use_experiment(name: str) -> str:
    """Point MLflow at RiskHub's store and experiment (created with a local artifact folder if new)."""
    use_store()
    experiment = mlflow.get_experiment_by_name(name)
    if experiment is None:
        location = artifact_root().as_uri() if tracking_uri().startswith("sqlite:") else None
        return mlflow.create_experiment(name, artifact_location=location)
    return experiment.experiment_id


@contextlib.contextmanager
def training_run(experiment: str, run_name: str, tags: dict[str, str]) -> Iterator[mlflow.ActiveRun]:
    """An MLflow run that is marked FAILED when training fails, FINISHED only when it succeeds."""
    experiment_id = use_experiment(experiment)
    run = mlflow.start_run(experiment_id=experiment_id, run_name=run_name, tags=tags)
    try:
        yield run
    except BaseException:
        mlflow.end_run(status=RunStatus.to_string(RunStatus.FAILED))
        raise
    mlflow.end_run(status=RunStatus.to_string(RunStatus.FINISHED))


def log_model(model, name: str, example: pd.DataFrame, prediction: pd.DataFrame) -> str:
    """Log and register a fitted model with its signature and an input example; returns the new version."""
    info = mlflow.sklearn.log_model(
        model,
        name=name,
        registered_model_name=name,
        signature=infer_signature(example, prediction),
        input_example=example.head(5),
        pip_requirements=PIP_REQUIREMENTS,
        serialization_format=mlflow.sklearn.SERIALIZATION_FORMAT_CLOUDPICKLE,
    )
    return str(info.registered_model_version)


def champion_version(name: str) -> str | None:
    """The registered version that currently holds the champion alias, if any."""
    try:
        return str(use_store().get_model_version_by_alias(name, CHAMPION).version)
    except mlflow.exceptions.MlflowException:
        return None


def load_version(name: str, model_version: str):
    """A registered model version, ready to predict."""
    use_store()
    return mlflow.sklearn.load_model(f"models:/{name}/{model_version}")


class NoChampion(LookupError):
    """No version of a model holds the champion alias yet: nothing may score with it."""


def champion_model(name: str) -> tuple[object, str]:
    """The champion of a registered model, ready to predict, and its version."""
    model_version = champion_version(name)
    if model_version is None:
        raise NoChampion(f"no champion registered for {name}: materialise the weekly training job first")
    return load_version(name, model_version), model_version


def promote(name: str, model_version: str, wins: bool) -> str:
    """Make the new version the challenger, and the champion too when it beat the champion out of time."""
    client = use_store()
    client.set_registered_model_alias(name, CHALLENGER, model_version)
    if wins:
        client.set_registered_model_alias(name, CHAMPION, model_version)
        return CHAMPION
    return CHALLENGER


BASELINE_ARTIFACT = "baseline/training_sample.csv"


def log_baseline(sample: pd.DataFrame) -> None:
    """Log, with the active run, a sample of the training inputs and score: what daily drift is measured against."""
    mlflow.log_text(sample.to_csv(index=False), BASELINE_ARTIFACT)


def load_baseline(name: str, model_version: str) -> dict[str, np.ndarray]:
    """The training sample logged with a registered model version, column by column."""
    run_id = use_store().get_model_version(name, model_version).run_id
    sample = pd.read_csv(io.StringIO(mlflow.artifacts.load_text(f"runs:/{run_id}/{BASELINE_ARTIFACT}")))
    return {column: sample[column].to_numpy(float) for column in sample.columns}
