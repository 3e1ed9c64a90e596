import numpy as np
import pytest
from scipy.stats import ks_2samp
from sklearn import metrics as skm

from riskhub_assets.ml import metrics


@pytest.fixture(scope="module")
def scored():
    rng = np.random.default_rng(7)
    p = rng.beta(1, 8, 5000)
    return (rng.random(5000) < p).astype(int), p


def test_ranking_measures_match_sklearn_and_scipy(scored):
    y, p = scored
    assert metrics.auc(y, p) == pytest.approx(skm.roc_auc_score(y, p))
    assert metrics.gini(y, p) == pytest.approx(2 * skm.roc_auc_score(y, p) - 1)
    assert metrics.pr_auc(y, p) == pytest.approx(skm.average_precision_score(y, p))
    assert metrics.brier(y, p) == pytest.approx(skm.brier_score_loss(y, p))
    assert metrics.ks(y, p) == pytest.approx(ks_2samp(p[y == 1], p[y == 0]).statistic)


def test_ks_on_known_cases():
    assert metrics.ks([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]) == 1.0
    assert metrics.ks([0, 0, 1, 1], [0.1, 0.3, 0.2, 0.4]) == 0.5


def test_confusion_and_report_at_a_threshold():
    y, p = [0, 0, 1, 1, 1], [0.1, 0.6, 0.4, 0.7, 0.5]
    assert metrics.confusion_at(y, p, 0.5) == {"tn": 1, "fp": 1, "fn": 1, "tp": 2}
    report = metrics.classification_report_at(y, p, 0.5)
    assert report["1"]["precision"] == pytest.approx(2 / 3) and report["1"]["recall"] == pytest.approx(2 / 3)


def test_decile_table_ranks_riskiest_first_and_captures_every_event(scored):
    y, p = scored
    table = metrics.decile_table(y, p)
    assert list(table["decile"]) == list(range(1, 11))
    assert table["count"].sum() == len(y) and table["events"].sum() == y.sum()
    assert table["event_rate"].iloc[0] == table["event_rate"].max()
    assert table["cumulative_capture"].is_monotonic_increasing
    assert table["cumulative_capture"].iloc[-1] == pytest.approx(1.0)
    assert table["lift"].iloc[0] > 2 and (table["lift"] * table["count"]).sum() / len(y) == pytest.approx(1.0)


def test_psi_is_near_zero_for_the_same_distribution_and_large_for_a_shift():
    rng = np.random.default_rng(0)
    expected = rng.normal(0, 1, 5000)
    assert metrics.psi(expected, rng.normal(0, 1, 5000)) < 0.02
    assert metrics.psi(expected, rng.normal(1, 1, 5000)) > 0.25
    assert metrics.psi(np.full(100, 5.0), np.full(80, 5.0)) == pytest.approx(0.0)
    assert metrics.psi(np.full(100, 5.0), np.full(80, 3.0)) > 0.25
    assert metrics.psi(expected, np.where(rng.random(5000) < 0.3, np.nan, expected)) > 0.25


def test_grades_follow_the_master_scale():
    assert len(metrics.MASTER_SCALE) >= 7
    bounds = list(metrics.MASTER_SCALE.values())
    assert bounds == sorted(bounds) and bounds[-1] == 1.0
    grades = list(metrics.MASTER_SCALE)
    pds = np.sort(np.random.default_rng(1).random(1000) ** 4)
    assigned = [grades.index(g) for g in metrics.grade_of(pds)]
    assert assigned == sorted(assigned)
    assert list(metrics.grade_of([0.0, 0.0025, 0.0026, 1.0, np.nan])) == ["A", "A", "B", "I", None]


def test_calibration_and_monotonicity_by_grade():
    rng = np.random.default_rng(2)
    p = rng.beta(0.6, 12, 20000)
    y = (rng.random(len(p)) < p).astype(int)
    table = metrics.calibration_by_grade(y, p)
    assert list(table.columns) == ["grade", "pd_upper", "count", "mean_pd", "default_rate"]
    assert list(table["grade"]) == list(metrics.MASTER_SCALE) and table["count"].sum() == len(y)
    busy = table[table["count"] >= 500]
    np.testing.assert_allclose(busy["default_rate"], busy["mean_pd"], atol=0.02)
    assert metrics.is_monotone_by_grade(y, p)
    assert not metrics.is_monotone_by_grade(y, 0.3 - p)


def test_precision_at_budget_and_operating_threshold(scored):
    assert metrics.precision_at_budget([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1], 2) == 0.5
    assert metrics.precision_at_budget([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1], 10) == 0.5
    with pytest.raises(ValueError):
        metrics.precision_at_budget([1], [0.5], 0)
    y, p = scored[0][:300], scored[1][:300]
    best = max(np.unique(p), key=lambda t: skm.f1_score(y, p >= t))
    assert metrics.operating_threshold(y, p) == pytest.approx(best)


def test_monotonicity_tolerates_noise_but_not_a_significant_inversion():
    # grade C (PD 0.75%) with 2 of 700 defaulting, grade D (PD 1.5%) with 1 of 700: noise, not an inversion
    p = np.repeat([0.0075, 0.015], 700)
    y = np.zeros(1400)
    y[[0, 1, 700]] = 1
    assert not metrics.is_monotone_by_grade(y, p, min_count=100)
    assert metrics.is_monotone_by_grade(y, p, min_count=100, tolerance_se=2.0)
    y = np.zeros(1400)
    y[:70] = 1  # 10% in the better grade, none in the worse one: a real inversion
    assert not metrics.is_monotone_by_grade(y, p, min_count=100, tolerance_se=2.0)


def test_monotonicity_counts_clients_not_rows_when_a_client_repeats_across_dates():
    # 700 rows per grade from 70 clients seen at 10 as-of dates; 2 clients of the better grade default (20 rows)
    p = np.repeat([0.0075, 0.015], 700)
    clients = np.repeat(np.arange(140), 10)
    y = np.zeros(1400)
    y[:20] = 1
    assert not metrics.is_monotone_by_grade(y, p, min_count=100, tolerance_se=2.0)  # rows taken as independent
    assert metrics.is_monotone_by_grade(y, p, min_count=100, tolerance_se=2.0, groups=clients)
    y[:140] = 1  # 14 of 70 clients: an inversion even counted by client
    assert not metrics.is_monotone_by_grade(y, p, min_count=100, tolerance_se=2.0, groups=clients)
