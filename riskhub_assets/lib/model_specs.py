"""The models RiskHub trains: their registered names, what each predicts and the gates a new version must pass."""

from dataclasses import dataclass

from riskhub_assets.lib import performance, training
from riskhub_assets.lib.model_evidence import EVIDENCE_GATE

EXPERIMENT = "riskhub"
"""The MLflow experiment every training run is logged in."""
STABLE_PSI = 0.25
"""Scores whose population stability index stays below this have not shifted between training and validation."""
LEAKAGE_AUC = 0.97
"""An out-of-time AUC above this on the RFM proxy target means the target leaks into the features."""
MONOTONE_MIN_COUNT = 100
MONOTONE_TOLERANCE_SE = 2.0
"""Monotonicity is judged over grades with 100+ validation clients; a fall in default rate between two grades
fails only when it exceeds two standard errors (a significant inversion, not noise)."""
BASELINE_SAMPLE = 5000
"""Rows of training inputs and scores logged with a model: the reference daily drift is measured against."""

PSI_GATE = "score_psi_below_0_25"
AUC_GATE = "auc_at_least_0_70"
MONOTONE_GATE = "default_rate_monotone_by_grade"
PROXY_GATE = "proxy_target_not_leaking"
RECOMMENDER_GATE = "beats_popularity_baseline"
PERFORMANCE_GATE = "beats_last_month_forecast"


@dataclass(frozen=True)
class ClientModel:
    """A client-level model: what it predicts, on whom, its contenders and the gates it must pass to be champion."""

    name: str
    label: str
    description: str
    candidates: object
    population: str | None = None  # pandas query selecting the clients the model is for
    min_auc: float | None = None
    monotone_grades: bool = False

    @property
    def gates(self) -> list[str]:
        """The checks every new version is judged by, in the order they are reported."""
        return [
            PSI_GATE,
            *([AUC_GATE] if self.min_auc else []),
            *([MONOTONE_GATE, PROXY_GATE] if self.monotone_grades else []),
            EVIDENCE_GATE,
        ]

    @property
    def promotion_gates(self) -> list[str]:
        """The gates a version must pass to become champion: the proxy-target alarm judges the proxy pipeline (a bank
        without defaults), not this model's label."""
        return [gate for gate in self.gates if gate != PROXY_GATE]


DEFAULT = ClientModel(
    name="riskhub_default_model",
    label="default_label",
    description="Probability of default within 90 days: scorecard, decision tree, random forest and XGBoost"
    " compared by cross-validation, the winner validated out of time and gated (AUC >= 0.70, PSI < 0.25,"
    " default rates monotone by grade) before it may become champion.",
    candidates=training.default_candidates,
    min_auc=0.70,
    monotone_grades=True,
)
CHURN = ClientModel(
    name="riskhub_churn_model",
    label="churn_label",
    description="Probability that an active client closes all accounts or goes inactive within 90 days:"
    " calibrated XGBoost, validated out of time.",
    candidates=training.churn_candidates,
    population="tx_count_30d > 0",
)
ANOMALY_NAME = "riskhub_anomaly_model"
ANOMALY_TRAINING_DAYS = 28
"""The anomaly model learns from the transactions of the 28 days before the latest, and is checked on the latest."""
ANOMALY_TRAINING_ROWS = 300_000
ANOMALY_TREES = 100
RECOMMENDER = "riskhub_product_recommender"
PERFORMANCE_MODELS = {level: f"riskhub_{level}_performance_model" for level in performance.LEVELS}
PERFORMANCE_MIN_ROWS = 10
"""Completed months (with a previous month) a performance model needs before it is worth training."""
