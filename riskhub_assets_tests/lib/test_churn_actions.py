"""Churn actions: the intervention follows the driver that moves each client's risk most."""

import numpy as np
import pandas as pd

from riskhub_assets.lib import churn_actions


class _Model:
    """Churn risk from complaints for half the story and from inactivity for the other half."""

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        p = np.clip(0.05 + 0.3 * X["complaints_90d"] + 0.01 * X["recency_days"], 0, 1).to_numpy()
        return np.column_stack([1 - p, p])


def test_each_client_gets_the_action_for_their_own_driver():
    X = pd.DataFrame(
        {
            "complaints_90d": [2.0, 0.0, 0.0, 0.0],
            "recency_days": [1.0, 40.0, 1.0, 1.0],
            "frequency_90d": [30.0, 2.0, 30.0, 30.0],
            "segment": ["mass", "mass", "mass", "mass"],
        }
    )
    staying = np.array([False, False, True, True])
    reference = churn_actions.reference_client(X, staying)
    assert reference == {"complaints_90d": 0.0, "recency_days": 1.0, "frequency_90d": 30.0}
    actions = churn_actions.choose_actions(*churn_actions.driver_effects(_Model(), X.iloc[:3], reference))
    assert list(actions["action"]) == ["complaint_follow_up", "relationship_manager_call", "relationship_manager_call"]
    assert list(actions["main_driver"][:2]) == ["complaints_90d", "recency_days"]
    assert actions["main_driver"].isna().iloc[2]  # nothing to fix: the fallback call, no driver named
    assert actions["expected_risk_reduction"].tolist() == [0.6, 0.39, 0.0]
