"""MLflow tracking and registry for RiskHub models: runs that end honestly, models promoted only when they win."""

import contextlib
import datetime as dt
import io
import json
import tempfile
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
from mlflow import MlflowClient
from mlflow.entities import RunStatus
from mlflow.models import infer_signature

from riskhub_assets.lib import model_files
from riskhub_assets.ml import SKOPS_TRUSTED_TYPES

CHAMPION, CHALLENGER = "champion", "challenger"
RefusedModel = model_files.RefusedModel
PIP_REQUIREMENTS = [
    f"{package}=={version(package)}" for package in ("scikit-learn", "xgboost-cpu", "pandas", "numpy", "skops")
]
"""Explicit requirements logged with each model: inferring them took 6 to 11 s a model."""


_store_uri: str | None = None
"""RiskHub's tracking store in this process, set by use_store: by the ModelStore resource for assets."""


def use_store(uri: str) -> None:
    """Make `uri` (a server URL, or sqlite:/// for a local store) RiskHub's MLflow tracking store and registry."""
    global _store_uri
    _store_uri = uri
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)


def _client() -> MlflowClient:
    """Point this process's MLflow at RiskHub's store again, and a client on it.

    Every registry read goes through here: a library may have pointed MLflow elsewhere, and a fresh process (a daily
    run's worker) would otherwise read MLflow's own default, ./mlflow.db, and find no champion.
    """
    if _store_uri is None:
        raise RuntimeError("no MLflow store: assets get it from the model_store resource, processes from use_store")
    use_store(_store_uri)
    return MlflowClient()


def _artifact_location() -> str | None:
    """Where a new experiment keeps model files and plots: beside a local SQLite store, on the server otherwise."""
    if not _store_uri.startswith("sqlite:///"):
        return None
    return (Path(_store_uri.removeprefix("sqlite:///")).resolve().parent / "mlartifacts").as_uri()


def use_experiment(name: str) -> str:
    """Point MLflow at RiskHub's store and experiment (created with a local artifact folder if new)."""
    _client()
    experiment = mlflow.get_experiment_by_name(name)
    if experiment is None:
        return mlflow.create_experiment(name, artifact_location=_artifact_location())
    return experiment.experiment_id


PARENT_RUN_TAG = "mlflow.parentRunId"
"""MLflow's tag nesting a run under another: a training run under the Dagster run that started it."""


@contextlib.contextmanager
def training_run(experiment: str, run_name: str, tags: dict[str, str]) -> Iterator[mlflow.ActiveRun]:
    """An MLflow run that is marked FAILED when training fails, FINISHED only when it succeeds; nested under the run
    its tags name as parent (the Dagster run's), or under the active run."""
    experiment_id = use_experiment(experiment)
    nested = mlflow.active_run() is not None
    run = mlflow.start_run(experiment_id=experiment_id, run_name=run_name, tags=tags, nested=nested)
    try:
        yield run
    except BaseException as error:
        conclude(f"failed: {error}")
        mlflow.end_run(status=RunStatus.to_string(RunStatus.FAILED))
        raise
    mlflow.end_run(status=RunStatus.to_string(RunStatus.FINISHED))


def end_open_run(run_id: str) -> None:
    """Mark a run FINISHED unless it already ended: the active run's stack is popped when it is that run."""
    active = mlflow.active_run()
    if active is not None and active.info.run_id == run_id:
        mlflow.end_run()
    elif _client().get_run(run_id).info.status == RunStatus.to_string(RunStatus.RUNNING):
        _client().set_terminated(run_id)


def version_run(name: str, model_version: str) -> tuple[str, str]:
    """The experiment id and MLflow run id of the run that logged a registered model version."""
    run_id = _client().get_model_version(name, model_version).run_id
    return _client().get_run(run_id).info.experiment_id, run_id


def log_model(model, name: str, example: pd.DataFrame, prediction: pd.DataFrame) -> str:
    """Log and register a fitted model with its signature and an input example, in the skops format (no pickle), and
    record the SHA-256 of each of its files with the version for load_version to check; returns the new version."""
    info = mlflow.sklearn.log_model(
        model,
        name=name,
        registered_model_name=name,
        signature=infer_signature(example, prediction),
        input_example=example.head(5),
        pip_requirements=PIP_REQUIREMENTS,
        serialization_format=mlflow.sklearn.SERIALIZATION_FORMAT_SKOPS,
        skops_trusted_types=SKOPS_TRUSTED_TYPES,
    )
    model_version = str(info.registered_model_version)
    with tempfile.TemporaryDirectory() as folder:
        digests = model_files.file_digests(_downloaded(name, model_version, folder))
    _client().set_model_version_tag(name, model_version, model_files.DIGESTS_TAG, json.dumps(digests))
    return model_version


def _downloaded(name: str, model_version: str, folder: str) -> Path:
    """A registered model version's files, copied into `folder`."""
    return Path(mlflow.artifacts.download_artifacts(f"models:/{name}/{model_version}", dst_path=folder))


def champion_version(name: str) -> str | None:
    """The registered version that currently holds the champion alias, if any."""
    try:
        return str(_client().get_model_version_by_alias(name, CHAMPION).version)
    except mlflow.exceptions.MlflowException:
        return None


def load_version(name: str, model_version: str):
    """A registered model version, ready to predict, once its files match the digests recorded at training.

    Raises RefusedModel, naming the model, version and file, for a file changed, missing or added since, a version
    without digests, or an estimator that is not a skops file of RiskHub's trusted types: nothing of it is unpickled.
    """
    tag = _client().get_model_version(name, model_version).tags.get(model_files.DIGESTS_TAG)
    with tempfile.TemporaryDirectory() as folder:  # a private copy: checked, then loaded, from the same bytes
        return model_files.load_checked(name, model_version, _downloaded(name, model_version, folder), tag)


CONCLUSION_TAG = "riskhub.conclusion"
"""Tag of a training run saying what it concluded: promoted, not promoted and why, or failed and why."""
MAX_TAG_CHARS = 5000


def conclude(conclusion: str) -> None:
    """Record with the active run what the training concluded, for whoever asks later why there is no champion (a
    version registered outside a training run, as tests do, has no run to record it)."""
    if mlflow.active_run() is not None:
        mlflow.set_tag(CONCLUSION_TAG, conclusion[:MAX_TAG_CHARS])


def last_conclusion(name: str) -> str:
    """What the latest training run of a model concluded, dated and with its MLflow run id."""
    _client()
    runs = mlflow.search_runs(
        search_all_experiments=True,
        filter_string=f"attributes.run_name = '{name}'",
        order_by=["attributes.start_time DESC"],
        max_results=1,
        output_format="list",
    )
    if not runs:
        return "no training run yet"
    run = runs[0]
    started = dt.datetime.fromtimestamp(run.info.start_time / 1000, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    said = run.data.tags.get(CONCLUSION_TAG, f"nothing recorded, the run is {run.info.status}")
    return f"the last training run ({started}, MLflow run {run.info.run_id}) concluded: {said}"


class NoChampion(LookupError):
    """No version of a model holds the champion alias yet: nothing may score with it; the message says why."""


def champion_model(name: str) -> tuple[object, str]:
    """The champion of a registered model, ready to predict, and its version."""
    model_version = champion_version(name)
    if model_version is None:
        raise NoChampion(
            f"no champion registered for {name}: {last_conclusion(name)}. Once that is addressed, materialise the"
            " weekly training job (`riskhub train`)"
        )
    return load_version(name, model_version), model_version


def promote(name: str, model_version: str, wins: bool, reason: str = "") -> str:
    """Make the new version the challenger, and the champion too when it beat the champion out of time; the run
    records the verdict and its `reason`."""
    client = _client()
    client.set_registered_model_alias(name, CHALLENGER, model_version)
    conclude(("promoted to champion" if wins else "not promoted") + (f": {reason}" if reason else ""))
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
    run_id = _client().get_model_version(name, model_version).run_id
    sample = pd.read_csv(io.StringIO(mlflow.artifacts.load_text(f"runs:/{run_id}/{BASELINE_ARTIFACT}")))
    return {column: sample[column].to_numpy(float) for column in sample.columns}
