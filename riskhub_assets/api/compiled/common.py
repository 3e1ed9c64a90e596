"""What every compiled model shares: its refusal, the unseen-label probe, a fast positive-class probability."""

UNSEEN = "\x00riskhub: a label never seen in training"
"""A label no model knows, to learn how an encoder treats unknown labels."""


class NotCompilable(Exception):
    """The model (or one of its parts) has no compiled form: serve it through its own pandas path."""


def positive_proba(classifier):
    """A function of a float matrix giving `classifier.predict_proba(X)[:, 1]`; for a binary XGBoost classifier,
    its booster's own prediction, without the scikit-learn wrapper's per-call configuration round trips."""
    from xgboost import XGBClassifier

    if (
        isinstance(classifier, XGBClassifier)
        and classifier.objective == "binary:logistic"
        and classifier.booster in (None, "gbtree")
    ):
        booster, missing = classifier.get_booster(), classifier.missing
        iterations = classifier._get_iteration_range(None)  # the best iteration if it stopped early, else all
        return lambda X: booster.inplace_predict(X, iteration_range=iterations, missing=missing)
    return lambda X: classifier.predict_proba(X)[:, 1]


def require(condition: bool, why: str) -> None:
    """Refuse to compile, saying `why`, unless `condition` holds."""
    if not condition:
        raise NotCompilable(why)
