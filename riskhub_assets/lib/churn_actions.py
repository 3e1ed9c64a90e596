"""What to do for a client likely to leave: the intervention that answers what drives their churn risk (plain Python).

A driver is a group of related features. Its effect on a client is how far the churn probability falls when that
group takes the values of a typical staying client (the day's low-risk band, medians); the group that lowers it
most picks the action.
"""

import numpy as np
import pandas as pd

ACTIONS = {
    "complaint_follow_up": (
        "Call back about the open complaint and waive the fees it concerns",
        ("complaints_90d",),
    ),
    "fee_waiver": (
        "Waive account fees for three months and review the overdraft",
        ("days_overdrawn_30d", "min_current_balance_30d", "avg_current_balance_30d", "balance_trend_7d_vs_30d"),
    ),
    "product_offer": (
        "Offer the client's next best product",
        ("products_held", "has_card", "has_savings", "has_loan"),
    ),
    "relationship_manager_call": (
        "Relationship-manager call to re-engage a client whose activity is fading",
        (
            "recency_days",
            "tx_count_30d",
            "frequency_90d",
            "monetary_90d",
            "avg_amount_90d",
            "inflow_30d",
            "inflow_90d",
            "salary_inflow_30d",
        ),
    ),
}
"""Intervention -> (what the campaign team does, the features whose pull on churn risk calls for it)."""
FALLBACK = "relationship_manager_call"
"""The action when no driver group lowers the risk: a personal call."""


def driver_effects(model, X: pd.DataFrame, reference: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per client, the fall in churn probability when an action's features (first frame), or one of them alone
    (second frame), take the reference values; one model call for all the variants."""
    groups = {a: [c for c in cols if c in X.columns and c in reference] for a, (_, cols) in ACTIONS.items()}
    groups = {a: cols for a, cols in groups.items() if cols}
    features = [c for cols in groups.values() for c in cols]
    changes = [{c: reference[c] for c in cols} for cols in groups.values()] + [{c: reference[c]} for c in features]
    variants = [X] + [X.assign(**change) for change in changes]
    p = model.predict_proba(pd.concat(variants, ignore_index=True))[:, 1].reshape(len(variants), len(X))
    effects = pd.DataFrame((p[0] - p[1:]).T, index=X.index)
    by_group, by_feature = effects.iloc[:, : len(groups)], effects.iloc[:, len(groups) :]
    return by_group.set_axis(list(groups), axis=1), by_feature.set_axis(features, axis=1)


def reference_client(X: pd.DataFrame, staying: np.ndarray) -> dict:
    """The typical staying client: each numeric feature's median over the clients at low risk."""
    low = X[staying]
    return {c: low[c].median() for c in X.columns if pd.api.types.is_numeric_dtype(X[c]) and low[c].notna().any()}


def choose_actions(by_group: pd.DataFrame, by_feature: pd.DataFrame) -> pd.DataFrame:
    """Per client, the action whose features lower the risk most (the fallback when none does), that action's feature
    that lowers it most on its own (the main driver), and the expected fall in churn probability."""
    best, effect = by_group.idxmax(axis=1), by_group.max(axis=1)
    action = best.where(effect > 0, FALLBACK)
    owner = {c: a for a, (_, cols) in ACTIONS.items() for c in cols}
    own = by_feature.where(pd.DataFrame({c: best.eq(owner[c]) for c in by_feature.columns}))
    return pd.DataFrame(
        {
            "action": action,
            "action_description": action.map(lambda a: ACTIONS[a][0]),
            "main_driver": own.idxmax(axis=1).where(effect > 0),
            "expected_risk_reduction": effect.clip(lower=0).round(4),
        },
        index=by_group.index,
    )
