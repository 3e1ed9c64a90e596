"""The recommender on a made-up shop's baskets: tastes it must find, cold starts, calibration, honest metrics."""

import numpy as np
import pandas as pd
import pytest

from riskhub_assets.ml import make_recommender
from riskhub_assets.ml.recommend import ranking_metrics

ITEMS = ["tent", "stove", "lamp", "novel", "poetry", "atlas", "paint", "brush"]
TASTES = {"camper": ["tent", "stove", "lamp"], "reader": ["novel", "poetry", "atlas"], "artist": ["paint", "brush"]}


def _shop(n: int = 600, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Customers of three tastes holding some of their taste's items; what each takes up next; their taste."""
    rng = np.random.default_rng(seed)
    taste = rng.integers(0, len(TASTES), n)
    liked = np.array([[item in favourites for item in ITEMS] for favourites in TASTES.values()])[taste]
    held = (rng.random((n, len(ITEMS))) < np.where(liked, 0.5, 0.03)).astype(int)
    took = ((rng.random((n, len(ITEMS))) < np.where(liked, 0.4, 0.02)) & (held == 0)).astype(int)
    index = pd.Index([f"cust{i}" for i in range(n)], name="customer")
    return pd.DataFrame(held, index=index, columns=ITEMS), pd.DataFrame(took, index=index, columns=ITEMS), taste


@pytest.mark.parametrize("method", ["svd", "item_knn"])
def test_collaborative_filtering_recommends_what_similar_customers_hold(method):
    held, took, taste = _shop()
    model = make_recommender(method=method, n_components=3, neighbours=2).fit(held)
    lists = model.recommend(held, n=2)
    camper = held.index[(taste == 0) & (held["tent"] == 1) & (held["stove"] == 0)][0]
    assert "stove" in set(lists.loc[lists["client"] == camper, "product"])
    assert not (
        lists.merge(
            held.stack().rename("h").reset_index(), left_on=["client", "product"], right_on=["customer", "level_1"]
        )["h"]
        == 1
    ).any()  # never an item already held
    popular = make_recommender(method="popularity").fit(held).recommend(held, n=2)
    adopted = took.stack().loc[lambda s: s == 1].reset_index().set_axis(["client", "product", "_"], axis=1)
    cf = ranking_metrics(lists, adopted, ITEMS, model.cosine_, n=2)
    baseline = ranking_metrics(popular, adopted, ITEMS, model.cosine_, n=2)
    assert cf["precision_at_2"] > 1.5 * baseline["precision_at_2"]
    assert 0 < cf["recall_at_2"] <= 1 and cf["catalogue_coverage"] == 1.0


def test_a_customer_with_nothing_gets_the_popular_items_or_profile_based_ones():
    held, took, taste = _shop()
    newcomer = pd.DataFrame([[0] * len(ITEMS)], columns=ITEMS, index=["new"])
    lists = make_recommender().fit(held).recommend(newcomer, n=3)
    assert list(lists["product"]) == list(held.mean().sort_values(ascending=False).index[:3])
    assert lists["reason"].str.startswith("popular").all()
    profiled = held.assign(likes_outdoors=(taste == 0).astype(int))
    model = make_recommender(context=("likes_outdoors",)).fit(profiled, took)
    assert list(model.products_) == ITEMS  # a profile column is never recommended
    outdoorsy = model.recommend(newcomer.assign(likes_outdoors=1), n=3)
    assert set(outdoorsy["product"]) == set(TASTES["camper"])
    assert outdoorsy["reason"].str.contains("profile").all()


def test_calibration_turns_scores_into_take_up_probabilities():
    held, took, _ = _shop(2000)
    model = make_recommender(n_components=3).fit(held, took)
    scores = model.score(held)
    free = np.isfinite(scores)
    assert ((scores[free] > 0) & (scores[free] < 1)).all()
    observed, predicted = took.to_numpy()[free].mean(), scores[free].mean()
    assert abs(observed - predicted) < 0.02  # calibrated on average
    with pytest.raises(ValueError, match="method"):
        make_recommender(method="magic").fit(held)


def test_ranking_metrics_by_hand():
    lists = pd.DataFrame({"client": ["a", "a", "b", "b"], "product": ["x", "y", "x", "z"], "rank": [1, 2, 1, 2]})
    adopted = pd.DataFrame({"client": ["a", "b", "b"], "product": ["y", "y", "w"]})
    similarity = np.array([[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0.0]])
    m = ranking_metrics(lists, adopted, ["x", "y", "z", "w"], similarity, n=2)
    assert m["precision_at_2"] == pytest.approx((1 / 2 + 0) / 2)
    assert m["recall_at_2"] == pytest.approx((1 / 1 + 0 / 2) / 2)
    assert m["catalogue_coverage"] == 0.75
    assert m["intra_list_diversity"] == pytest.approx(((1 - 1) + (1 - 0)) / 2)


def test_calibration_weighs_a_profile_that_drives_take_up_beyond_the_shared_factors():
    held, took, _ = _shop(2000, seed=1)
    rng = np.random.default_rng(1)
    collector = rng.random(len(held)) < 0.3  # maps collectors take up atlases, whatever else they hold
    took["atlas"] = ((rng.random(len(held)) < np.where(collector, 0.5, 0.01)) & (held["atlas"] == 0)).astype(int)
    profiled = held.assign(collects_maps=collector.astype(int))
    model = make_recommender(n_components=1, context=("collects_maps",)).fit(profiled, took)
    atlas = pd.Series(model.score(profiled)[:, ITEMS.index("atlas")], index=held.index)[held["atlas"] == 0]
    fans, others = atlas[collector[held["atlas"] == 0]], atlas[~collector[held["atlas"] == 0]]
    assert fans.mean() == pytest.approx(0.5, abs=0.1) and others.mean() < 0.05
