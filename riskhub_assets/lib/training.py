"""Training data, out-of-time validation and model selection for the client models (plain Python, no Dagster)."""

import datetime as dt
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from riskhub_assets.ml import make_churn_model, make_default_model, metrics

if TYPE_CHECKING:
    from riskhub_assets.ml.explain import ExplainedClassifier

# scikit-learn and XGBoost are imported inside the functions that build and fit models: the Dagster definitions
# import this module for its names (the model specs, the training window), and loading them must not import them.

KEYS = ["as_of_date", "client_id"]
SEARCH_JOBS = 2
"""Worker processes a search fits its (grid point, fold) pairs in: one per core of the 2-core target machine. Each
model inside fits on one thread: threads in a process (OpenMP) spin-wait on a busy machine, processes do not."""
LABELS = ["default_label", "churn_label", "rfm_proxy_label"]
WINDOW_DAYS = 90
"""Models learn from, and are validated out of time on, the labelled as-of dates of the latest 90 days."""


@dataclass(frozen=True)
class Split:
    """Training rows (earlier as-of dates, other clients) and out-of-time validation rows (later dates, unseen clients)."""

    train: pd.DataFrame
    test: pd.DataFrame
    cutoff: dt.date


def as_model_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Features as models take them: flags and counts as floats (any may be missing tomorrow), labels as they are."""
    numeric = [
        c
        for c in frame.columns
        if c not in LABELS and (pd.api.types.is_bool_dtype(frame[c]) or pd.api.types.is_integer_dtype(frame[c]))
    ]
    return frame.astype({c: float for c in numeric})


def labelled_frame(con, population: str | None = None, window_days: int = WINDOW_DAYS) -> pd.DataFrame:
    """The features and outcomes of the labelled as-of dates in the latest `window_days`, as models take them, for
    the clients a model is for."""
    frame = as_model_frame(
        con.execute(
            "SELECT f.*, l.default_label, l.churn_label, l.rfm_proxy_label FROM features.client_features f"
            " JOIN features.client_labels l USING (as_of_date, client_id)"
            " WHERE l.as_of_date > (SELECT max(as_of_date) FROM features.client_labels)"
            " - to_days(CAST($window AS INTEGER))",
            {"window": window_days},
        ).df()
    )
    return frame.query(population) if population else frame


def feature_columns(frame: pd.DataFrame) -> list[str]:
    """The model inputs: everything known at the as-of date, never keys or outcomes."""
    return [c for c in frame.columns if c not in (*KEYS, *LABELS)]


def _test_client(client_id: str, share: float) -> bool:
    return zlib.crc32(client_id.encode()) % 1000 < share * 1000


def oot_split(frame: pd.DataFrame, test_dates_share: float = 0.4, test_clients_share: float = 0.5) -> Split:
    """Validate on the latest as-of dates and on clients never trained on; train on the earlier dates' other clients.

    Holding out clients as well as dates means no client's own future outcome is seen in training, even though the
    label horizons of the last training dates reach into the validation period.
    """
    dates = sorted(frame["as_of_date"].unique())
    if len(dates) < 3:
        raise ValueError(f"out-of-time validation needs at least 3 labelled as-of dates, got {len(dates)}")
    cutoff = pd.Timestamp(dates[int(len(dates) * (1 - test_dates_share))])
    in_test_group = frame["client_id"].map(lambda c: _test_client(c, test_clients_share))
    train = frame[(frame["as_of_date"] < cutoff) & ~in_test_group]
    test = frame[(frame["as_of_date"] >= cutoff) & in_test_group]
    if train.empty or test.empty:
        raise ValueError(f"out-of-time split left {len(train)} training and {len(test)} validation rows")
    return Split(train.reset_index(drop=True), test.reset_index(drop=True), cutoff.date())


def _encoded(estimator) -> "ExplainedClassifier":
    """A tree model behind one-hot encoding and median imputation, explained like a scorecard (points, reasons)."""
    from sklearn.compose import make_column_selector, make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    from riskhub_assets.ml.explain import ExplainedClassifier

    encode = make_column_transformer(
        (SimpleImputer(strategy="median", keep_empty_features=True), make_column_selector(dtype_include="number")),
        (
            OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=0.01, sparse_output=False),
            make_column_selector(dtype_exclude="number"),
        ),
    )
    return ExplainedClassifier(make_pipeline(encode, estimator))


def default_candidates(seed: int = 0) -> dict[str, tuple[object, dict]]:
    """The default-model contenders, simplest first, with the hyper-parameters each is searched over."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.tree import DecisionTreeClassifier
    from xgboost import XGBClassifier

    return {
        # The scorecard cross-validates its own regularisation: the search is over its classing only.
        "scorecard": (make_default_model(), {"max_bins": [6, 10], "min_iv": [0.0, 0.02]}),
        "decision_tree": (
            _encoded(DecisionTreeClassifier(random_state=seed)),
            {
                "estimator__decisiontreeclassifier__max_depth": [4, 5],
                "estimator__decisiontreeclassifier__min_samples_leaf": [200],  # 50 never won
            },
        ),
        "random_forest": (
            # Each tree sees 30% of the rows: 3x faster than full bootstraps and as accurate.
            _encoded(RandomForestClassifier(n_estimators=100, max_samples=0.3, n_jobs=1, random_state=seed)),
            {
                "estimator__randomforestclassifier__max_depth": [6, 8],
                "estimator__randomforestclassifier__min_samples_leaf": [50, 100],
            },
        ),
        "xgboost": (
            _encoded(
                XGBClassifier(
                    n_estimators=200, learning_rate=0.03, tree_method="hist", n_jobs=1, random_state=seed, verbosity=0
                )
            ),
            # A few hundred defaults: shallow, slowly learnt trees (0.1 never won the cross-validation).
            {
                "estimator__xgbclassifier__max_depth": [2, 3, 4],
                "estimator__xgbclassifier__min_child_weight": [5, 20],
            },
        ),
    }


def churn_candidates(seed: int = 0) -> dict[str, tuple[object, dict]]:
    """The churn model with the hyper-parameters it is searched over."""
    return {
        # A learning rate of 0.1 never won: the search is over depth only.
        "xgboost_calibrated": (make_churn_model(random_state=seed), {"max_depth": [3, 4], "learning_rate": [0.05]})
    }


def _unexplained(estimator):
    """The estimator without the search for reason codes an explained classifier makes when fitted."""
    from riskhub_assets.ml.explain import ExplainedClassifier

    return estimator.set_params(candidate_reasons=0) if isinstance(estimator, ExplainedClassifier) else estimator


@dataclass
class Selection:
    """The chosen candidate refitted on all training rows, and every candidate's cross-validated AUC and its standard
    error."""

    name: str
    model: object
    cv_auc: dict[str, float]
    cv_auc_se: dict[str, float]
    params: dict


def select_model(
    candidates: dict,
    X: pd.DataFrame,
    y: np.ndarray,
    groups: np.ndarray,
    n_iter: int = 4,
    seed: int = 0,
    n_jobs: int = SEARCH_JOBS,
) -> Selection:
    """Random search per candidate scored by 3-fold cross-validated AUC on training rows only; the chosen is refitted.

    The chosen candidate is the simplest (the first in `candidates`) whose AUC is within one standard error of the
    best's (the one-standard-error rule): with a few hundred defaults, a more complex model's lead of a few thousandths
    is noise, and the simpler model is easier to validate and explain. Folds keep each client's rows together
    (`groups`): a client seen weekly would otherwise sit in both the training and the scoring fold and inflate the
    AUC. Fits run in `n_jobs` processes. Explained classifiers look for their reason codes only in the final refit:
    the folds' models are only scored.
    """
    from sklearn.base import clone
    from sklearn.model_selection import RandomizedSearchCV, StratifiedGroupKFold

    folds = StratifiedGroupKFold(n_splits=3, shuffle=True, random_state=seed)
    searches = {}
    for name, (estimator, grid) in candidates.items():
        search = RandomizedSearchCV(
            _unexplained(clone(estimator)),
            grid,
            n_iter=min(n_iter, int(np.prod([len(v) for v in grid.values()]))),
            scoring="roc_auc",
            cv=folds,
            random_state=seed,
            refit=False,
            n_jobs=n_jobs,
            error_score="raise",
        )
        searches[name] = search.fit(X, y, groups=groups)
    cv_auc = {n: float(s.best_score_) for n, s in searches.items()}
    cv_auc_se = {
        n: float(s.cv_results_["std_test_score"][s.best_index_] / np.sqrt(folds.get_n_splits()))
        for n, s in searches.items()
    }
    best = max(cv_auc, key=cv_auc.get)
    chosen = next(n for n in candidates if cv_auc[n] >= cv_auc[best] - cv_auc_se[best])
    params = searches[chosen].best_params_
    return Selection(
        name=chosen,
        model=clone(candidates[chosen][0]).set_params(**params).fit(X, y),
        cv_auc=cv_auc,
        cv_auc_se=cv_auc_se,
        params={k: (v if isinstance(v, (int, float, str)) else str(v)) for k, v in params.items()},
    )


def validation_metrics(y: np.ndarray, p: np.ndarray, threshold: float) -> dict[str, float]:
    """What a validator asks for, measured out of time: AUC, Gini, KS, PR-AUC, Brier, confusion at the threshold
    (chosen on training rows, never on the validation rows)."""
    return {
        "auc": metrics.auc(y, p),
        "gini": metrics.gini(y, p),
        "ks": metrics.ks(y, p),
        "pr_auc": metrics.pr_auc(y, p),
        "brier": metrics.brier(y, p),
        "event_rate": float(np.mean(y)),
        "threshold": threshold,
        **{f"confusion_{k}": v for k, v in metrics.confusion_at(y, p, threshold).items()},
    }
