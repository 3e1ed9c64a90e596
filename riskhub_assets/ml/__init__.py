"""RiskHub's models: a credit scorecard, churn, transaction anomalies, product recommendations and sales
performance, usable on any bank's table."""

from riskhub_assets.ml.anomaly import AnomalyModel
from riskhub_assets.ml.churn import ChurnModel
from riskhub_assets.ml.performance import PerformanceModel
from riskhub_assets.ml.recommend import ProductRecommender
from riskhub_assets.ml.scorecard import Scorecard

SKOPS_TRUSTED_TYPES = [
    "riskhub_assets.ml.anomaly.AnomalyModel",
    "riskhub_assets.ml.binning.FeatureBins",
    "riskhub_assets.ml.churn.ChurnModel",
    "riskhub_assets.ml.frame.TableEncoder",
    "riskhub_assets.ml.performance.PerformanceModel",
    "riskhub_assets.ml.recommend.ProductRecommender",
    "riskhub_assets.ml.scorecard.Scorecard",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.tree._tree.Tree",
    "xgboost.core.Booster",
    "xgboost.sklearn.XGBClassifier",
    "xgboost.sklearn.XGBRegressor",
]
"""Types the models are built from, for `mlflow.sklearn.log_model(..., skops_trusted_types=SKOPS_TRUSTED_TYPES)`."""


def make_default_model(**params) -> Scorecard:
    """The probability-of-default model: a logistic-regression scorecard with points per feature bin."""
    return Scorecard(**params)


def make_churn_model(**params) -> ChurnModel:
    """The churn model: calibrated XGBoost on numeric and category columns."""
    return ChurnModel(**params)


def make_anomaly_model(**params) -> AnomalyModel:
    """The transaction anomaly model: an isolation forest with per-row explanations."""
    return AnomalyModel(**params)


def make_recommender(**params) -> ProductRecommender:
    """The next-best-product model: collaborative filtering on holdings, popularity for clients who hold nothing."""
    return ProductRecommender(**params)


def make_performance_model(**params) -> PerformanceModel:
    """The manager and branch performance model: XGBoost regression of a 0-100 score."""
    return PerformanceModel(**params)


__all__ = [
    "SKOPS_TRUSTED_TYPES",
    "AnomalyModel",
    "ChurnModel",
    "PerformanceModel",
    "ProductRecommender",
    "Scorecard",
    "make_anomaly_model",
    "make_churn_model",
    "make_default_model",
    "make_performance_model",
    "make_recommender",
]
