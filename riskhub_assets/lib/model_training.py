"""Training of the risk models: out-of-time validation, gates, MLflow logging and promotion (plain Python, no Dagster)."""

import datetime as dt
import logging
from dataclasses import dataclass

import duckdb
import mlflow
import numpy as np
import pandas as pd
from sklearn.base import clone

from riskhub_assets.lib import features, model_evidence, tracking, training
from riskhub_assets.lib.markdown import markdown_table
from riskhub_assets.lib.model_outcome import GateVerdict, TrainingOutcome
from riskhub_assets.lib.model_specs import (
    ANOMALY_NAME,
    ANOMALY_TRAINING_DAYS,
    ANOMALY_TRAINING_ROWS,
    ANOMALY_TREES,
    AUC_GATE,
    BASELINE_SAMPLE,
    EXPERIMENT,
    LEAKAGE_AUC,
    MONOTONE_GATE,
    MONOTONE_MIN_COUNT,
    MONOTONE_TOLERANCE_SE,
    PROXY_GATE,
    PSI_GATE,
    STABLE_PSI,
    ClientModel,
)
from riskhub_assets.lib.settings import DEFAULT_MIN_TRAINING_EVENTS
from riskhub_assets.ml import make_anomaly_model, metrics, plots

LOG = logging.getLogger(__name__)


def _log_baseline(X: pd.DataFrame, score: np.ndarray) -> None:
    """Log a sample of each numeric input and of the score at training with the run: the daily drift reference."""
    numeric = X.select_dtypes("number").assign(score=score)
    tracking.log_baseline(numeric.sample(min(len(numeric), BASELINE_SAMPLE), random_state=0))


def _champion_auc(name: str, X: pd.DataFrame, y: np.ndarray, log: logging.Logger = LOG) -> float | None:
    """The current champion's AUC on the validation rows: None without a champion, -inf when it cannot score them."""
    version = tracking.champion_version(name)
    if version is None:
        return None
    try:
        return metrics.auc(y, tracking.load_version(name, version).predict_proba(X)[:, 1])
    except Exception as error:  # a champion that cannot score today's features has lost
        log.warning(f"champion {name} v{version} could not score the validation rows: {error}")
        return float("-inf")


def _log_validation(y: np.ndarray, p: np.ndarray, threshold: float) -> pd.DataFrame:
    """Log the validator's plots and tables of the out-of-time scores; returns the calibration by grade."""
    for name, figure in (
        ("roc", plots.roc_figure(y, p)),
        ("calibration", plots.calibration_figure(y, p)),
        ("gains", plots.gains_figure(y, p)),
    ):
        mlflow.log_figure(figure, f"plots/{name}.png")
    mlflow.log_dict(metrics.classification_report_at(y, p, threshold), "validation/classification_report.json")
    mlflow.log_text(metrics.decile_table(y, p).to_csv(index=False), "validation/deciles.csv")
    calibration = metrics.calibration_by_grade(y, p)
    mlflow.log_text(calibration.to_csv(index=False), "validation/calibration_by_grade.csv")
    return calibration


def _proxy_target_auc(spec: ClientModel, split: training.Split, columns: list[str]) -> float:
    """Out-of-time AUC of a plain scorecard on the RFM proxy target, logged: the alarm for a target that leaks.

    One fit with the scorecard's default settings answers it (a search over them moved its AUC by thousandths).
    """
    proxy = clone(spec.candidates()["scorecard"][0]).fit(
        split.train[columns], split.train["rfm_proxy_label"].to_numpy(int)
    )
    auc = metrics.auc(split.test["rfm_proxy_label"].to_numpy(int), proxy.predict_proba(split.test[columns])[:, 1])
    mlflow.log_metric("oot_auc_rfm_proxy_target", auc)
    return auc


def client_gate_verdicts(
    spec: ClientModel,
    y: np.ndarray,
    p: np.ndarray,
    clients: pd.Series,
    auc: float,
    stability: float,
    calibration: pd.DataFrame,
    proxy_auc: float | None,
) -> tuple[GateVerdict, ...]:
    """The verdict on each of a client model's gates, from its out-of-time scores `p` of outcomes `y` (whose AUC is
    `auc`) for `clients`, the scores' stability, the calibration by grade and the proxy target's AUC."""
    graded = calibration.loc[calibration["count"] >= MONOTONE_MIN_COUNT, "default_rate"].round(4).tolist()
    verdicts = {
        PSI_GATE: (stability < STABLE_PSI, f"PSI of scores, training vs out-of-time: {stability:.3f}"),
        AUC_GATE: (auc >= (spec.min_auc or 0), f"out-of-time AUC {auc:.3f}, regulatory floor {spec.min_auc}"),
        MONOTONE_GATE: (
            spec.monotone_grades
            and metrics.is_monotone_by_grade(y, p, MONOTONE_MIN_COUNT, MONOTONE_TOLERANCE_SE, groups=clients),
            "observed default rate by grade, best to worst, over grades with"
            f" {MONOTONE_MIN_COUNT}+ rows (an inversion fails beyond {MONOTONE_TOLERANCE_SE} standard errors,"
            f" counted over distinct clients): {graded}",
        ),
        PROXY_GATE: (
            proxy_auc is None or proxy_auc <= LEAKAGE_AUC,
            f"scorecard on the RFM proxy target: out-of-time AUC {proxy_auc}",
        ),
    }
    return tuple(
        GateVerdict(gate, bool(verdicts[gate][0]), verdicts[gate][1]) for gate in spec.gates if gate in verdicts
    )


@dataclass(frozen=True)
class Validated:
    """The chosen model, its scores of the training and out-of-time rows and what was measured on them."""

    selection: training.Selection
    p_train: np.ndarray
    p_test: np.ndarray
    oot: dict[str, float]
    stability: float
    calibration: pd.DataFrame
    proxy_auc: float | None


def _fit_and_validate(spec: ClientModel, split: training.Split, columns: list[str]) -> Validated:
    """Choose and fit the model on the training rows, score both sides, and log the out-of-time measures and plots."""
    X_train, y_train = split.train[columns], split.train[spec.label].to_numpy(int)
    X_test, y_test = split.test[columns], split.test[spec.label].to_numpy(int)
    selection = training.select_model(spec.candidates(), X_train, y_train, split.train["client_id"].to_numpy())
    p_train = selection.model.predict_proba(X_train)[:, 1]
    p_test = selection.model.predict_proba(X_test)[:, 1]
    threshold = metrics.operating_threshold(y_train, p_train)
    oot = training.validation_metrics(y_test, p_test, threshold)
    stability = metrics.psi(p_train, p_test)
    mlflow.log_params(
        {"chosen": selection.name, "cutoff": str(split.cutoff), "train_rows": len(X_train), "oot_rows": len(X_test)}
        | selection.params
    )
    mlflow.log_metrics(
        {f"oot_{k}": v for k, v in oot.items()}
        | {"score_psi_train_vs_oot": stability}
        | {f"cv_auc_{n}": v for n, v in selection.cv_auc.items()}
        | {f"cv_auc_se_{n}": v for n, v in selection.cv_auc_se.items()}
    )
    calibration = _log_validation(y_test, p_test, threshold)
    proxy_auc = _proxy_target_auc(spec, split, columns) if spec.monotone_grades else None
    return Validated(selection, p_train, p_test, oot, stability, calibration, proxy_auc)


def promotion(
    spec: ClientModel, gates: tuple[GateVerdict, ...], auc: float, champion: float | None
) -> tuple[bool, str]:
    """Whether a new version becomes champion, and why: what its training run concludes."""
    failed = [g for g in gates if g.name in spec.promotion_gates and not g.passed]
    if failed:
        return False, "; ".join(f"{g.name} failed ({g.description})" for g in failed)
    if champion is None:
        return True, f"passed every promotion gate with out-of-time AUC {auc:.3f}; there was no champion"
    if auc > champion:
        return True, f"out-of-time AUC {auc:.3f} beat the champion's {champion:.3f}"
    return False, f"out-of-time AUC {auc:.3f} did not beat the champion's {champion:.3f}"


def train_client_model(
    spec: ClientModel,
    frame: pd.DataFrame,
    dagster_tags: dict[str, str],
    log: logging.Logger = LOG,
    min_events: int = DEFAULT_MIN_TRAINING_EVENTS,
) -> TrainingOutcome:
    """Choose, fit and validate a client model out of time, log and register it in MLflow, and promote it to champion
    only when it passes its promotion gates and beats the champion's out-of-time AUC. Stops before fitting with fewer
    than `min_events` clients with (or without) the outcome to learn from; a version validated on fewer, or whose AUC
    is undefined, is never promoted. The run records its conclusion either way."""
    with tracking.training_run(EXPERIMENT, spec.name, {**dagster_tags, "target": spec.label}):
        split = training.oot_split(frame)
        columns = training.feature_columns(frame)
        found = model_evidence.evidence(split.train, split.test, spec.label, min_events)
        log.info(f"{spec.name}: split at {split.cutoff}; {found.counts('training')}; {found.counts('validation')}")
        model_evidence.require_training_events(spec.name, found)
        fit = _fit_and_validate(spec, split, columns)
        X_test, y_test = split.test[columns], split.test[spec.label].to_numpy(int)
        version = tracking.log_model(
            fit.selection.model, spec.name, X_test.head(50), pd.DataFrame({"probability": fit.p_test[:50]})
        )
        auc = fit.oot["auc"]
        gates = (
            *client_gate_verdicts(
                spec, y_test, fit.p_test, split.test["client_id"], auc, fit.stability, fit.calibration, fit.proxy_auc
            ),
            model_evidence.evidence_verdict(found, auc),
        )
        _log_baseline(split.train[columns], fit.p_train)
        champion = _champion_auc(spec.name, X_test, y_test, log)
        wins, reason = promotion(spec, gates, auc, champion)
        alias = tracking.promote(spec.name, version, wins, reason)
        mlflow.set_tags({"alias": alias, "champion_oot_auc": str(champion)})
    log.info(f"{spec.name} version {version} is {alias}: {reason}")
    metadata = {
        "model": spec.name,
        "version": version,
        "alias": alias,
        "conclusion": reason,
        "chosen": fit.selection.name,
        "champion_oot_auc_before": champion if champion is not None else "none",
        **{f"oot_{k}": float(v) for k, v in fit.oot.items()},
        **{f"cv_auc_{n}": v for n, v in fit.selection.cv_auc.items()},
        "calibration_by_grade": markdown_table(
            list(fit.calibration.columns), fit.calibration.round(4).itertuples(index=False)
        ),
    }
    return TrainingOutcome(version, alias, metadata, gates)


def anomaly_training_frame(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, dt.date]:
    """The transaction features the anomaly model learns from and is checked on, and the latest transaction day."""
    last = con.execute("SELECT max(transaction_date) FROM warehouse.fact_transactions").fetchone()[0]
    return features.transaction_features(con, last - dt.timedelta(days=ANOMALY_TRAINING_DAYS), last), last


def train_anomaly_model(frame: pd.DataFrame, last: dt.date, dagster_tags: dict[str, str]) -> TrainingOutcome:
    """Fit the Isolation Forest on the days before `last`, check its score stability on `last`, log, register and
    promote it (there is no fraud label to compare models on: the newest is champion)."""
    latest = frame["transaction_date"].dt.date == last
    train = frame[~latest].sample(min(int((~latest).sum()), ANOMALY_TRAINING_ROWS), random_state=0)
    X, X_latest = train.drop(columns=features.TRANSACTION_KEYS), frame[latest].drop(columns=features.TRANSACTION_KEYS)
    with tracking.training_run(EXPERIMENT, ANOMALY_NAME, dagster_tags):
        model = make_anomaly_model(n_estimators=ANOMALY_TREES).fit(X)
        scores, latest_scores = model.score_samples(X), model.score_samples(X_latest)
        stability = metrics.psi(scores, latest_scores)
        mlflow.log_params({"training_rows": len(X), "last_day": str(last), "n_estimators": ANOMALY_TREES})
        mlflow.log_metric("score_psi_training_vs_latest_day", stability)
        version = tracking.log_model(model, ANOMALY_NAME, X.head(50), pd.DataFrame({"anomaly_score": scores[:50]}))
        _log_baseline(X, scores)
        alias = tracking.promote(ANOMALY_NAME, version, wins=True, reason="no fraud label to compare with: the newest")
    stable = GateVerdict(
        PSI_GATE,
        bool(stability < STABLE_PSI),
        f"PSI of anomaly scores, training days vs the latest day ({last}): {stability:.3f}",
    )
    metadata = {"model": ANOMALY_NAME, "version": version, "training_rows": len(X), "last_day": str(last)}
    return TrainingOutcome(version, alias, metadata, (stable,))
