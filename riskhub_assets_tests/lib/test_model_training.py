"""Training, gating and promotion of the models as plain functions: verdicts, aliases, refusals."""

import dataclasses
import datetime as dt

import mlflow
import numpy as np
import pandas as pd
import pytest

from riskhub_assets.lib import insight_training, model_evidence, model_training, tracking, training
from riskhub_assets.lib.model_outcome import NotEnoughHistory
from riskhub_assets.lib.model_specs import CHURN, DEFAULT
from riskhub_assets.ml import metrics
from riskhub_assets.orchestration.resources import resources_for


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
    assert [v.name for v in verdicts] == [g for g in DEFAULT.gates if g != model_evidence.EVIDENCE_GATE]
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
    outcome = model_training.train_client_model(spec, training.as_model_frame(_clients()), dagster_tags={})
    gates = {v.name: v for v in outcome.gates}
    assert not gates["auc_at_least_0_70"].passed and "regulatory floor 0.99" in gates["auc_at_least_0_70"].description
    assert outcome.alias == "challenger" and outcome.version == "1"
    assert outcome.metadata["champion_oot_auc_before"] == "none"
    assert tracking.champion_version(DEFAULT.name) is None


def test_a_performance_model_without_ten_months_is_refused_with_what_to_load():
    with pytest.raises(NotEnoughHistory, match="agency performance needs 10\\+ completed months"):
        insight_training.train_performance_model(pd.DataFrame({"month": range(3)}), "agency", dt.date(2025, 4, 3), {})


SCORECARD_ONLY = {"candidates": lambda: {"scorecard": training.default_candidates()["scorecard"]}}


def _runs(name: str) -> list:
    return mlflow.search_runs(
        search_all_experiments=True, filter_string=f"attributes.run_name = '{name}'", output_format="list"
    )


def test_too_few_events_to_learn_from_stops_with_the_counts_and_the_setting():
    frame = _clients()
    rare = frame["client_id"].isin(["C00001", "C00002", "C00003"])  # three defaulters, in every row of theirs
    frame["default_label"] = rare
    spec = dataclasses.replace(DEFAULT, **SCORECARD_ONLY)
    with pytest.raises(model_evidence.TooFewEvents) as refused:
        model_training.train_client_model(spec, training.as_model_frame(frame), dagster_tags={}, min_events=30)
    message = str(refused.value)
    assert "RISKHUB_MIN_TRAINING_EVENTS" in message and "minimum 30" in message
    assert "with a default event" in message and "in the training rows" in message
    [run] = _runs(DEFAULT.name)
    assert run.info.status == "FAILED" and message in run.data.tags[tracking.CONCLUSION_TAG]
    with pytest.raises(tracking.NoChampion, match="concluded: failed: riskhub_default_model cannot be trained"):
        tracking.champion_model(DEFAULT.name)


def test_a_version_validated_on_too_few_events_is_never_promoted_and_the_run_says_why():
    frame = _clients()
    late = frame["as_of_date"] >= sorted(frame["as_of_date"].unique())[7]  # the out-of-time dates
    frame.loc[late, "default_label"] &= frame.loc[late, "client_id"].isin([f"C{i:05d}" for i in range(10)])
    spec = dataclasses.replace(DEFAULT, min_auc=None, **SCORECARD_ONLY)
    outcome = model_training.train_client_model(spec, training.as_model_frame(frame), dagster_tags={}, min_events=30)
    gates = {v.name: v for v in outcome.gates}
    evidence = gates[model_evidence.EVIDENCE_GATE]
    assert not evidence.passed and "without in the validation rows, minimum 30" in evidence.description
    assert int(evidence.description.split()[0]) < 10  # defaulters left out of time
    assert outcome.alias == "challenger" and tracking.champion_version(DEFAULT.name) is None
    assert outcome.metadata["conclusion"].startswith("enough_validation_events failed")
    with pytest.raises(tracking.NoChampion) as no_champion:
        tracking.champion_model(DEFAULT.name)
    assert "concluded: not promoted: enough_validation_events failed" in str(no_champion.value)
    assert "RISKHUB_MIN_TRAINING_EVENTS" in str(no_champion.value)


def test_an_undefined_validation_auc_is_never_promoted_even_without_a_champion():
    frame = _clients()
    late = frame["as_of_date"] >= sorted(frame["as_of_date"].unique())[7]  # the out-of-time dates
    frame["churn_label"] = frame["default_label"] & ~late  # no churn out of time
    spec = dataclasses.replace(CHURN, **SCORECARD_ONLY)
    outcome = model_training.train_client_model(spec, training.as_model_frame(frame), dagster_tags={}, min_events=5)
    assert np.isnan(outcome.metadata["oot_auc"])
    [evidence] = [v for v in outcome.gates if v.name == model_evidence.EVIDENCE_GATE]
    assert not evidence.passed and "AUC undefined (NaN)" in evidence.description
    assert outcome.alias == "challenger" and tracking.champion_version(CHURN.name) is None


def test_the_evidence_gate_needs_a_defined_auc_on_enough_clients_of_each_outcome():
    enough = model_evidence.Evidence("default_label", 30, 200, 900, 40, 800)
    assert model_evidence.evidence_verdict(enough, 0.8).passed
    assert not model_evidence.evidence_verdict(enough, float("nan")).passed
    thin = dataclasses.replace(enough, test_events=3)
    verdict = model_evidence.evidence_verdict(thin, 0.8)
    assert not verdict.passed
    assert verdict.description.startswith("3 clients with a default event and 800 without in the validation rows")


def test_without_any_training_run_no_champion_says_to_train():
    with pytest.raises(tracking.NoChampion, match="no training run yet.*riskhub train"):
        tracking.champion_model("riskhub_never_trained")


def test_the_minimum_of_events_reaches_training_through_the_model_store(monkeypatch):
    monkeypatch.setenv("RISKHUB_MIN_TRAINING_EVENTS", "12")
    assert resources_for("local")["model_store"].min_training_events == 12
    monkeypatch.setenv("RISKHUB_MIN_TRAINING_EVENTS", "a few")
    with pytest.raises(ValueError, match="RISKHUB_MIN_TRAINING_EVENTS is 'a few'"):
        resources_for("local")
