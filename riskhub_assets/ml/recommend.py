"""Next-best-product recommendations from who holds what: collaborative filtering with a popularity fallback.

Works on any client-by-product table of 0/1 holdings (rows clients, columns products), not only RiskHub's, with
optional 0/1 client attributes (age band, segment...) that help find similar clients but are never recommended.
"""

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.decomposition import TruncatedSVD
from sklearn.linear_model import LogisticRegression

METHODS = ("svd", "item_knn", "popularity")


class ProductRecommender(BaseEstimator):
    """Scores the products a client does not hold by what clients with similar holdings hold.

    - `svd`: truncated SVD of the holdings matrix; a client's scores are their holdings projected on the product
      factors and back (new clients are folded in, no refit needed);
    - `item_knn`: item-based nearest neighbours; a product scores the summed cosine similarity to the products held,
      over each product's `neighbours` most similar products;
    - `popularity`: the share of clients holding each product (also the fallback for a client who holds nothing).

    `context` names columns of X that describe the client rather than a product (one-hot attributes): SVD and
    neighbours use them to find similar clients, so a client who holds nothing yet still gets personal lists.

    Given `y`, the products each client took up in a period after X's holdings, each product's score is calibrated
    into a take-up probability: a logistic regression per product, over the clients who did not hold it, on the score
    and on the client's own holdings and attributes, so a product held or a profile that signals a taste weighs what
    it weighs in take-ups, not only through the few factors or neighbours they share. Holdings alone rank a product
    every client got at onboarding as high as one clients keep adopting; calibration ranks products by what clients
    like this one actually take up next. Popularity is calibrated on its take-up rate alone (the most taken up).
    """

    def __init__(self, method: str = "svd", n_components: int = 4, neighbours: int = 5, context: tuple = ()):
        self.method = method
        self.n_components = n_components
        self.neighbours = neighbours
        self.context = context

    def fit(self, X: pd.DataFrame, y: pd.DataFrame | None = None) -> "ProductRecommender":
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {self.method!r}")
        self.products_ = np.asarray([c for c in X.columns if c not in self.context], dtype=object)
        self.context_ = [c for c in self.context if c in X.columns]
        inputs = self._inputs(X)
        held = inputs[:, : len(self.products_)]
        self.popularity_ = held.mean(axis=0)
        counts = held.T @ held  # co-holding counts, product by product
        self.co_holding_ = counts / np.maximum(np.diag(counts), 1)[:, None]  # share of row-product holders with column
        norms = np.sqrt(np.diag(counts))
        self.cosine_ = counts / np.maximum(np.outer(norms, norms), 1e-12)  # product-product cosine similarity
        np.fill_diagonal(self.cosine_, 0.0)
        if self.method == "item_knn":
            counts = inputs.T @ inputs[:, : len(self.products_)]  # any input column against each product
            norms = np.sqrt(np.diag(inputs.T @ inputs))
            cosine = counts / np.maximum(np.outer(norms, norms[: len(self.products_)]), 1e-12)
            cosine[np.arange(len(self.products_)), np.arange(len(self.products_))] = 0.0
            nearest = np.argsort(-cosine, axis=0)[: self.neighbours]  # each product's nearest inputs
            self.weights_ = np.zeros_like(cosine)
            np.put_along_axis(self.weights_, nearest, np.take_along_axis(cosine, nearest, axis=0), axis=0)
        if self.method == "svd":
            k = max(1, min(self.n_components, inputs.shape[1] - 1))
            self.factors_ = TruncatedSVD(n_components=k, random_state=0).fit(inputs).components_
        self.calibration_ = None if y is None else self._calibrate(inputs, _binary(y[list(self.products_)]))
        return self

    def _inputs(self, X: pd.DataFrame) -> np.ndarray:
        """Holdings, then client attributes, as a 0/1 matrix."""
        return _binary(X[[*self.products_, *self.context_]])

    def _affinity(self, inputs: np.ndarray) -> np.ndarray:
        """Uncalibrated collaborative-filtering scores, per product."""
        if self.method == "svd":
            return (inputs @ self.factors_.T @ self.factors_)[:, : len(self.products_)]
        if self.method == "item_knn":
            return inputs @ self.weights_
        return np.zeros((len(inputs), len(self.products_)))

    def _calibrate(self, inputs: np.ndarray, took: np.ndarray) -> np.ndarray:
        """Per product: the affinity's mean and spread, then the logistic intercept, the slope of take-up on the
        affinity and on each input column (all zero for popularity)."""
        held, affinity = inputs[:, : len(self.products_)], self._affinity(inputs)
        personal = self.method != "popularity"
        rows = []
        for j in range(held.shape[1]):
            free = held[:, j] == 0
            z, target = affinity[free, j], took[free, j]
            centre, spread = (z.mean(), z.std()) if len(z) else (0.0, 0.0)
            rate = (target.sum() + 0.5) / (len(target) + 1)  # take-up among non-holders, never exactly 0 or 1
            intercept, slopes = np.log(rate / (1 - rate)), np.zeros(1 + inputs.shape[1])
            if personal and 0 < target.sum() < len(target):
                features = np.column_stack([(z - centre) / (spread or 1.0), inputs[free]])
                fitted = LogisticRegression(max_iter=1000).fit(features, target)
                intercept, slopes = fitted.intercept_[0], fitted.coef_[0]
            rows.append((centre, spread or 1.0, intercept, *slopes))
        return np.array(rows)

    def score(self, X: pd.DataFrame) -> np.ndarray:
        """Each client's score per product (higher first: a take-up probability when calibrated); held ones -inf."""
        inputs = self._inputs(X)
        held = inputs[:, : len(self.products_)]
        cold = inputs.sum(axis=1) == 0
        if self.calibration_ is None:
            scores = self._affinity(inputs)
            scores[cold] = 0.0
            scores = scores + 1e-6 * self.popularity_  # popularity breaks ties, and ranks a client we know nothing of
        else:
            centre, spread, intercept, slope = self.calibration_[:, :4].T
            logit = intercept + slope * (self._affinity(inputs) - centre) / spread + inputs @ self.calibration_[:, 4:].T
            logit[cold] = intercept  # a client we know nothing of: the products most taken up
            scores = 1 / (1 + np.exp(-logit))
        return np.where(held > 0, -np.inf, scores)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The product each client should be offered first."""
        return self.products_[self.score(X).argmax(axis=1)]

    def recommend(self, X: pd.DataFrame, n: int = 5) -> pd.DataFrame:
        """The n best products each client does not hold: client (X's index), product, score, rank, reason."""
        scores = self.score(X)
        held = _binary(X[list(self.products_)])
        n = min(n, len(self.products_))
        top = np.argsort(-scores, axis=1, kind="stable")[:, :n]
        top_scores = np.take_along_axis(scores, top, axis=1)
        rows = np.repeat(np.arange(len(X)), n)
        products, values = top.ravel(), top_scores.ravel()
        valid = np.isfinite(values)
        frame = pd.DataFrame(
            {
                "client": np.asarray(X.index)[rows],
                "product": self.products_[products],
                "score": values,
                "rank": np.tile(np.arange(1, n + 1), len(X)),
            }
        )[valid]
        profiled = self._inputs(X)[:, len(self.products_) :].any(axis=1)
        frame["reason"] = self._reasons(held[rows[valid]], profiled[rows[valid]], products[valid])
        return frame.reset_index(drop=True)

    def _reasons(self, held: np.ndarray, profiled: np.ndarray, products: np.ndarray) -> list[str]:
        """Why: the share of clients holding one of the client's products who also hold the recommended one; for a
        client who holds nothing, their profile, or failing that the product's popularity."""
        shares = np.where(held > 0, self.co_holding_[:, products].T, -1.0)
        anchor = shares.argmax(axis=1)
        share = shares[np.arange(len(products)), anchor]
        return [
            f"clients like you hold it: {s:.0%} of {self.products_[a]} holders have {self.products_[p]}"
            if s >= 0
            else "clients with a profile like yours take it up"
            if known and self.method != "popularity"
            else f"popular: held by {self.popularity_[p]:.0%} of clients"
            for s, a, p, known in zip(share, anchor, products, profiled)
        ]


def _binary(X: pd.DataFrame) -> np.ndarray:
    return (np.nan_to_num(np.asarray(X, dtype=float)) > 0).astype(float)


def ranking_metrics(
    recommendations: pd.DataFrame, adopted: pd.DataFrame, catalogue: list[str], similarity: np.ndarray, n: int = 5
) -> dict[str, float]:
    """Precision@n and recall@n over clients who adopted something, catalogue coverage and intra-list diversity.

    `adopted` has one row per (client, product) adopted after the recommendation date; diversity is the mean
    pairwise (1 - cosine similarity) of products within a client's list, similarity measured on the training matrix.
    """
    top = recommendations[recommendations["rank"] <= n]
    hits = top.merge(adopted[["client", "product"]].drop_duplicates(), on=["client", "product"])
    adopters = adopted.groupby("client")["product"].nunique()
    hit_count = hits.groupby("client").size().reindex(adopters.index, fill_value=0)
    index = {p: i for i, p in enumerate(catalogue)}
    codes = top.assign(code=top["product"].map(index)).groupby("client")["code"].apply(np.asarray)
    distances = [1 - similarity[np.ix_(c, c)][np.triu_indices(len(c), 1)].mean() for c in codes if len(c) > 1]
    return {
        f"precision_at_{n}": float((hit_count / n).mean()) if len(adopters) else float("nan"),
        f"recall_at_{n}": float((hit_count / adopters).mean()) if len(adopters) else float("nan"),
        "catalogue_coverage": top["product"].nunique() / len(catalogue),
        "intra_list_diversity": float(np.mean(distances)) if distances else float("nan"),
        "adopters": int(len(adopters)),
    }
