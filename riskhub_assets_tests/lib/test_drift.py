"""Drift against training when a bank stops (or starts) sending a value: named, never a crash or a silent NaN."""

import dagster as dg
import numpy as np
import pandas as pd

from riskhub_assets.defs.scoring import _drift_results
from riskhub_assets.lib import scoring
from riskhub_assets.ml import metrics

RNG = np.random.default_rng(0)
TRAINED = {
    "income": RNG.lognormal(10, 1, 500),
    "utilisation": np.full(500, np.nan),  # the bank sent no card limits when the model was trained
    "balance": RNG.normal(0, 1, 500),
    "score": RNG.random(500),
}


def test_psi_of_a_column_missing_entirely_on_one_side_is_a_finite_large_shift():
    present, missing = RNG.normal(size=200), np.full(200, np.nan)
    assert metrics.psi(missing, missing) == 0.0
    assert np.isfinite(metrics.psi(missing, present)) and metrics.psi(missing, present) > 1
    assert np.isfinite(metrics.psi(present, missing)) and metrics.psi(present, missing) > 1


def test_drift_names_inputs_missing_on_either_side_and_scores_the_rest():
    today = pd.DataFrame({"income": np.nan, "utilisation": RNG.random(300), "balance": RNG.normal(0, 1, 300)})
    found = scoring.drift({k: v for k, v in TRAINED.items() if k != "score"}, today)
    assert found.missing == {"income": "today", "utilisation": "at training"}
    assert set(found.psi) == {"balance"} and np.isfinite(found.psi["balance"])
    assert scoring.drift({"gone": np.ones(3)}, today).missing == {"gone": "not among today's inputs"}


def test_the_feature_drift_check_warns_and_names_a_column_missing_today():
    today = pd.DataFrame({"income": np.nan, "utilisation": np.nan, "balance": RNG.normal(0, 1, 300)})
    key = dg.AssetKey(["scores", "default_scores"])
    results = {r.check_name: r for r in _drift_results(key, dict(TRAINED), today, pd.Series(RNG.random(300)))}
    feature = results["feature_drift_psi"]
    assert not feature.passed and feature.severity == dg.AssetCheckSeverity.WARN
    assert "entirely missing, so not compared: income (today), utilisation (at training and today)" in (
        feature.description
    )
    assert results["score_drift_psi"].passed


def _days(seeds: range, training, today) -> list[float]:
    """The PSI of one training sample against a day drawn afresh for each seed."""
    return [metrics.psi(training, today(np.random.default_rng(seed))) for seed in seeds]


def test_a_small_day_of_the_training_population_reads_stable():
    """Sampling noise is not drift: a day of 40 or 100 clients drawn from the training population never fails and
    typically reads near 0, for counts (each its own bin), scheduled counts and skewed amounts alike."""
    rng = np.random.default_rng(1)
    dues, shares = [0, 5, 6, 7, 12], [0.3, 0.08, 0.45, 0.04, 0.13]  # payments due: monthly instalments per product
    populations = {
        "count": (rng.poisson(5, 5000), lambda r, n: r.poisson(5, n)),
        "scheduled count": (rng.choice(dues, 5000, p=shares), lambda r, n: r.choice(dues, n, p=shares)),
        "amount": (rng.lognormal(5, 1.5, 5000), lambda r, n: r.lognormal(5, 1.5, n)),
    }
    for name, (training, draw) in populations.items():
        for n in (40, 100):
            days = _days(range(30), training, lambda r: draw(r, n))
            assert max(days) < scoring.DRIFT_FAIL and np.median(days) < scoring.DRIFT_WARN / 2, (name, n, days)


def test_a_real_shift_of_a_count_is_still_caught():
    rng = np.random.default_rng(2)
    training = rng.poisson(5, 5000)
    assert min(_days(range(10), training, lambda r: r.poisson(7, 300))) > scoring.DRIFT_FAIL
    new_value = lambda r: np.where(r.random(300) < 0.2, 20, r.poisson(5, 300))  # noqa: E731 - a value never trained on
    assert min(_days(range(10), training, new_value)) > scoring.DRIFT_FAIL
    assert min(_days(range(10), training, lambda r: np.zeros(40))) > scoring.DRIFT_FAIL  # a small day shifts too
