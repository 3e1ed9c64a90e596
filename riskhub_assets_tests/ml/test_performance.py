"""The performance regressor on a made-up sales team: learns a skill signal, stays within 0-100, names its inputs."""

import numpy as np
import pandas as pd

from riskhub_assets.ml import make_performance_model


def test_performance_model_learns_from_past_scores_and_stays_in_range():
    rng = np.random.default_rng(0)
    n = 400
    skill = rng.normal(0, 1, n)
    frame = pd.DataFrame(
        {
            "last_quarter": np.clip(70 + 15 * skill + rng.normal(0, 5, n), 0, 100),
            "team": rng.choice(["north", "south", None], n),
            "noise": rng.normal(size=n),
        }
    )
    y = np.clip(70 + 15 * skill + rng.normal(0, 5, n), 0, 100)
    model = make_performance_model().fit(frame[:300], y[:300])
    predicted = model.predict(frame[300:])
    assert ((predicted >= 0) & (predicted <= 100)).all()
    rmse, spread = np.sqrt(np.mean((predicted - y[300:]) ** 2)), np.std(y[300:])
    assert rmse < 0.6 * spread
    importance = model.feature_importances()
    assert importance.index[0] == "last_quarter" and abs(importance.sum() - 1) < 1e-9
    assert set(importance.index) == {"last_quarter", "team", "noise"}
