"""RiskHub's models: a credit scorecard, churn, transaction anomalies, product recommendations and sales
performance, usable on any bank's table.

Each model's module (scikit-learn, XGBoost) is imported when a model is made or its class first named, not with this
package: the Dagster definitions name models without loading the ML stack.
"""

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from riskhub_assets.ml.anomaly import AnomalyModel
    from riskhub_assets.ml.churn import ChurnModel
    from riskhub_assets.ml.performance import PerformanceModel
    from riskhub_assets.ml.recommend import ProductRecommender
    from riskhub_assets.ml.scorecard import Scorecard

MODEL_MODULES = {
    "AnomalyModel": "anomaly",
    "ChurnModel": "churn",
    "PerformanceModel": "performance",
    "ProductRecommender": "recommend",
    "Scorecard": "scorecard",
}
"""The module of riskhub_assets.ml defining each model class."""


def __getattr__(name: str):
    """A model class, its module imported on first use."""
    if name in MODEL_MODULES:
        return getattr(importlib.import_module(f"{__name__}.{MODEL_MODULES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


SKOPS_TRUSTED_TYPES = [
    "numpy.dtype",  # read back from an empty .npy array, never unpickled: an imputer's fitted dtype
    "riskhub_assets.ml.anomaly.AnomalyModel",
    "riskhub_assets.ml.binning.FeatureBins",
    "riskhub_assets.ml.churn.ChurnModel",
    "riskhub_assets.ml.explain.ExplainedClassifier",
    "riskhub_assets.ml.frame.TableEncoder",
    "riskhub_assets.ml.performance.PerformanceModel",
    "riskhub_assets.ml.recommend.ProductRecommender",
    "riskhub_assets.ml.scorecard.Scorecard",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.compose._column_transformer.make_column_selector",
    "sklearn.tree._tree.Tree",
    "xgboost.core.Booster",
    "xgboost.sklearn.XGBClassifier",
    "xgboost.sklearn.XGBRegressor",
]
"""Types the models and challengers are built from besides skops's own trusted ones: the only types a registered
model may hold (riskhub_assets.lib.model_files loads models with this list, never with one a model file claims)."""


def make_default_model(**params) -> "Scorecard":
    """The probability-of-default model: a logistic-regression scorecard with points per feature bin."""
    return __getattr__("Scorecard")(**params)


def make_churn_model(**params) -> "ChurnModel":
    """The churn model: calibrated XGBoost on numeric and category columns."""
    return __getattr__("ChurnModel")(**params)


def make_anomaly_model(**params) -> "AnomalyModel":
    """The transaction anomaly model: an isolation forest with per-row explanations."""
    return __getattr__("AnomalyModel")(**params)


def make_recommender(**params) -> "ProductRecommender":
    """The next-best-product model: collaborative filtering on holdings, popularity for clients who hold nothing."""
    return __getattr__("ProductRecommender")(**params)


def make_performance_model(**params) -> "PerformanceModel":
    """The manager and branch performance model: XGBoost regression of a 0-100 score."""
    return __getattr__("PerformanceModel")(**params)


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
