"""Holdings as the recommender sees them, as of a date, and its evaluation on later adoptions (plain Python)."""

import datetime as dt
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pandas as pd

from riskhub_assets.lib.frames import indicator_matrix
from riskhub_assets.lib.sql_files import read_sql
from riskhub_assets.ml import make_recommender

if TYPE_CHECKING:
    from riskhub_assets.ml.recommend import ProductRecommender

# scikit-learn are imported inside the functions that fit models: the Dagster definitions import this
# module for its names, and loading them must not import the ML stack.

TOP_N = 5
HORIZON_DAYS = 30
"""Adoptions within this many days after the recommendation date count as hits."""
CALIBRATION_WINDOWS = 3
"""Periods of take-ups, one after another back from the training date, that calibrate the recommender: one period's
few hundred take-ups are too few for a regression per product on the client's holdings and profile."""
CANDIDATES = [{"method": "svd", "n_components": k} for k in (3, 6, 10)] + [
    {"method": "item_knn", "neighbours": k} for k in (3, 5, 8)
]
"""The collaborative-filtering settings the weekly training chooses from, on a window before the evaluation's."""
POPULARITY = {"method": "popularity"}
"""The baseline: the most held products."""
TRENDING = {"method": "popularity", "calibrated": True}
"""A second baseline: the products most taken up lately by clients who did not hold them."""


def catalogue(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The bank's product codes (warehouse.dim_product), in code order."""
    return [code for (code,) in con.execute("SELECT product_code FROM warehouse.dim_product ORDER BY 1").fetchall()]


def holdings_matrix(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.DataFrame:
    """Client by product, 1 where held at the end of `as_of`: clients onboarded by then who still hold something,
    or never held anything (new clients, the cold start); clients whose every holding has ended are gone."""
    rows = con.execute(read_sql("recommendations", "holdings"), {"d": as_of}).df()
    status = rows.groupby("client_id").agg(held=("held", "any"), ever=("ever", "any"))
    keep = status.index[status["held"] | ~status["ever"].fillna(False).astype(bool)]
    held = rows[rows["held"]]
    matrix = indicator_matrix(held, "client_id", "product_code")
    return matrix.reindex(index=keep, columns=catalogue(con), fill_value=0).sort_index().rename_axis("client_id")


def client_profiles(con: duckdb.DuckDBPyConnection, as_of: dt.date, clients: pd.Index) -> pd.DataFrame:
    """Each client's attributes as known at `as_of` (10-year age band, segment, employment), one-hot: what the
    recommender uses, beside holdings, to find similar clients."""
    profile = con.execute(read_sql("recommendations", "client_profiles"), {"d": as_of}).df()
    long = profile.melt(id_vars="client_id").dropna()
    return indicator_matrix(long, "client_id", "value").reindex(index=clients, fill_value=0)


def recommender_inputs(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.DataFrame:
    """Holdings at `as_of` and client profiles side by side, one row per client (profile columns after products)."""
    holdings = holdings_matrix(con, as_of)
    return holdings.join(client_profiles(con, as_of, holdings.index))


def adoptions(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, before: pd.DataFrame) -> pd.DataFrame:
    """Products taken up after `start` up to `end` by the clients of `before` that they did not hold at `start`."""
    taken = con.execute(
        "SELECT DISTINCT client_id AS client, product_code AS product FROM warehouse.fact_product_holdings"
        " WHERE adoption_date > $start AND adoption_date <= $end",
        {"start": start, "end": end},
    ).df()
    long = before.stack()
    held_then = set(long[long > 0].index)
    known = taken["client"].isin(before.index)
    new = [(c, p) not in held_then for c, p in zip(taken["client"], taken["product"])]
    return taken[known & np.asarray(new, dtype=bool)].reset_index(drop=True)


def adoption_matrix(adopted: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """Take-ups as a client-by-product 0/1 matrix aligned with the holdings they followed."""
    matrix = indicator_matrix(adopted, "client", "product")
    return matrix.reindex(index=before.index, columns=before.columns, fill_value=0)


def fit_recommender(params: dict, con: duckdb.DuckDBPyConnection, as_of: dt.date, horizon: int) -> "ProductRecommender":
    """A recommender for clients as they are at `as_of`: holdings at the start of each of the last
    `CALIBRATION_WINDOWS` periods of `horizon` days, calibrated on what was taken up in each (popularity, the baseline,
    is not calibrated; trending, the second baseline, on the last period only)."""
    products = catalogue(con)
    if params["method"] == "popularity" and not params.get("calibrated"):
        before = recommender_inputs(con, as_of - dt.timedelta(days=horizon))
        return make_recommender(method="popularity", context=_context(before, products)).fit(before)
    windows = 1 if params["method"] == "popularity" else CALIBRATION_WINDOWS
    starts = [as_of - dt.timedelta(days=horizon * k) for k in range(1, windows + 1)]
    before, took = [], []
    for start in starts:
        before.append(recommender_inputs(con, start))
        held = before[-1][products]
        took.append(adoption_matrix(adoptions(con, start, start + dt.timedelta(days=horizon), held), held))
    before = pd.concat(before).fillna(0)  # a profile value absent from a period is 0 there
    settings = {k: v for k, v in params.items() if k != "calibrated"}
    return make_recommender(**settings, context=_context(before, products)).fit(before, pd.concat(took))


def _context(inputs: pd.DataFrame, products: list[str]) -> tuple[str, ...]:
    """The profile columns of `recommender_inputs`."""
    return tuple(c for c in inputs.columns if c not in products)


def evaluate(params: dict, con: duckdb.DuckDBPyConnection, as_of: dt.date, horizon: int) -> dict[str, float]:
    """Fit on what was known at `as_of`, recommend to every client, score the lists on the next `horizon` days."""
    from riskhub_assets.ml.recommend import ranking_metrics

    model = fit_recommender(params, con, as_of, horizon)
    now = recommender_inputs(con, as_of)
    recommended = model.recommend(now.reindex(columns=[*model.products_, *model.context_], fill_value=0), TOP_N)
    adopted = adoptions(con, as_of, as_of + dt.timedelta(days=horizon), now[list(model.products_)])
    return ranking_metrics(recommended, adopted, list(model.products_), model.cosine_, TOP_N)


def choose(con: duckdb.DuckDBPyConnection, as_of: dt.date, horizon: int) -> tuple[dict, dict[str, float]]:
    """The candidate with the best precision@5 on adoptions after `as_of`, and each candidate's precision."""
    precision = {label(p): evaluate(p, con, as_of, horizon)[f"precision_at_{TOP_N}"] for p in CANDIDATES}
    best = max(CANDIDATES, key=lambda p: precision[label(p)])
    return best, precision


def label(params: dict) -> str:
    """A candidate's name in metrics: its settings joined, e.g. svd_4."""
    return "_".join(str(v) for v in params.values())


def recommendation_rows(model: "ProductRecommender", inputs: pd.DataFrame, n: int = TOP_N) -> pd.DataFrame:
    """The daily recommendation table's rows (client, product, score, rank, reason) from `recommender_inputs`; a
    profile value the model never saw is ignored."""
    inputs = inputs.reindex(columns=[*model.products_, *model.context_], fill_value=0)
    frame = model.recommend(inputs, n).rename(columns={"client": "client_id", "product": "product_code"})
    return frame.assign(score=frame["score"].round(6))
