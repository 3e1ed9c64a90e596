"""Training, gating and promotion of the models as plain functions: verdicts, aliases, refusals."""

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from riskhub_assets.lib import insight_training, model_training, tracking, training
from riskhub_assets.lib.model_outcome import NotEnoughHistory
from riskhub_assets.lib.model_specs import CHURN, DEFAULT
from riskhub_assets.ml import metrics


def _clients(dates: int = 12, clients: int = 150, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = dates * clients
    risk = rng.normal(size=rows)
    frame = pd.DataFrame(
        {
            "as_of_date": np.repeat(pd.date_range("2025-01-06", periods=dates, freq="7D"), clients),
            "client_id": np.tile([f"C{i:05d}" for i in range(clients)], dates),
            "missed_payments_90d": rng.poisson(np.exp(1.5 * risk - 1)).astype(float),
            "current_balance": rng.lognormal(7, 1, rows) * np.exp(-0.5 * risk),
        }
    )
    frame["default_label"] = rng.random(rows) < 1 / (1 + np.exp(-(-3 + 2.0 * risk)))
    frame["churn_label"] = False
    frame["rfm_proxy_label"] = rng.random(rows) < 0.25
    return frame


def test_each_gate_fails_on_the_evidence_it_names_and_only_the_model_s_own_gates_are_judged():
    y = np.r_[np.ones(500), np.zeros(500), np.ones(50), np.zeros(950)].astype(int)
    p = np.r_[np.full(1000, 0.008), np.full(1000, 0.12)]  # grade C defaults ten times as often as grade G
    clients = pd.Series([f"C{i}" for i in range(len(y))])
    calibration = metrics.calibration_by_grade(y, p)
    auc = metrics.auc(y, p)
    verdicts = model_training.client_gate_verdicts(DEFAULT, y, p, clients, auc, 0.30, calibration, proxy_auc=0.99)
    assert [v.name for v in verdicts] == DEFAULT.gates
    assert not any(v.passed for v in verdicts)  # unstable, weak, inverted grades, leaking proxy target
    by_name = {v.name: v for v in verdicts}
    assert "0.300" in by_name["score_psi_below_0_25"].description
    assert "[0.5, 0.05]" in by_name["default_rate_monotone_by_grade"].description
    assert "proxy_target_not_leaking" not in DEFAULT.promotion_gates  # an alarm on the proxy, not a promotion gate

    stable = model_training.client_gate_verdicts(CHURN, y, p, clients, auc, 0.10, calibration, proxy_auc=None)
    assert [(v.name, v.passed) for v in stable] == [("score_psi_below_0_25", True)]


def test_a_version_that_misses_a_promotion_gate_stays_challenger_even_without_a_champion_to_beat():
    spec = dataclasses.replace(
        DEFAULT, min_auc=0.99, candidates=lambda: {"scorecard": training.default_candidates()["scorecard"]}
    )
    outcome = model_training.train_client_model(spec, training.as_model_frame(_clients()), run_id="test")
    gates = {v.name: v for v in outcome.gates}
    assert not gates["auc_at_least_0_70"].passed and "regulatory floor 0.99" in gates["auc_at_least_0_70"].description
    assert outcome.alias == "challenger" and outcome.version == "1"
    assert outcome.metadata["champion_oot_auc_before"] == "none"
    assert tracking.champion_version(DEFAULT.name) is None


def test_a_performance_model_without_ten_months_is_refused_with_what_to_load():
    with pytest.raises(NotEnoughHistory, match="agency performance needs 10\\+ completed months"):
        insight_training.train_performance_model(pd.DataFrame({"month": range(3)}), "agency", dt.date(2025, 4, 3), "t")
