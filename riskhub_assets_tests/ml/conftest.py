"""A synthetic table shaped unlike a bank's, with a known logistic signal and missing values in every column."""

import numpy as np
import pandas as pd
import pytest

from riskhub_assets.ml import make_churn_model, make_default_model

REGION_EFFECT = {"north": -0.6, "south": 0.0, "east": 0.5, "west": 0.9, "isle": 0.0}


def synthetic_table(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows of sensor readings whose event depends on sensor_a, weight and region; humidity and colour are noise."""
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(
        {
            "sensor_a": rng.normal(0, 1, n),
            "region": rng.choice(list(REGION_EFFECT), n, p=[0.35, 0.3, 0.2, 0.13, 0.02]).astype(object),
            "weight": rng.lognormal(3, 0.8, n),
            "colour": rng.choice(["red", "green", "blue"], n).astype(object),
            "humidity": rng.normal(50, 10, n),
        }
    )
    logit = -1.2 + 1.3 * table["sensor_a"] + 0.6 * (np.log(table["weight"]) - 3) + table["region"].map(REGION_EFFECT)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int).to_numpy()
    for column in table.columns:
        table.loc[rng.random(n) < 0.08, column] = np.nan
    return table, y


@pytest.fixture(scope="session")
def train() -> tuple[pd.DataFrame, np.ndarray]:
    """The training rows."""
    return synthetic_table(3000, seed=1)


@pytest.fixture(scope="session")
def test() -> tuple[pd.DataFrame, np.ndarray]:
    """Held-out rows from the same process."""
    return synthetic_table(2000, seed=2)


@pytest.fixture(scope="session")
def scorecard(train):
    """A default-model scorecard fitted on the training rows."""
    return make_default_model().fit(*train)


@pytest.fixture(scope="session")
def churn(train):
    """A churn model fitted on the training rows."""
    return make_churn_model().fit(*train)


@pytest.fixture
def unusual_rows() -> pd.DataFrame:
    """Two rows a model never saw the like of: unseen categories, then every value missing."""
    return pd.DataFrame(
        {
            "sensor_a": [0.1, np.nan],
            "region": ["atlantis", np.nan],
            "weight": [20.0, np.nan],
            "colour": ["purple", np.nan],
            "humidity": [40.0, np.nan],
        }
    )
