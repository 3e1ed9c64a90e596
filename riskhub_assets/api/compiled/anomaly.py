"""The anomaly model compiled: its numbers and label shares as numpy, into its isolation trees walked at once."""

import numpy as np

from riskhub_assets.api.compiled.common import UNSEEN, require
from riskhub_assets.api.inputs import Inputs, numbers_matrix
from riskhub_assets.ml.frame import MISSING


class CompiledForest:
    """A fitted IsolationForest's trees stacked in flat arrays, walked for all trees and rows at once.

    Same arithmetic as scikit-learn's `score_samples`: float32 inputs against the trees' thresholds, per tree the
    leaf's depth plus the average path length of its training rows minus one, summed over trees in tree order.
    """

    ROWS_AT_ONCE = 512
    """Most rows walked through all trees at once; more go tree by tree through scikit-learn's compiled `apply`,
    which is faster once its per-tree call costs less than the walk's (trees x rows) temporaries."""

    def __init__(self, forest):
        from sklearn.ensemble._iforest import _average_path_length

        require(hasattr(forest, "_decision_path_lengths"), "this scikit-learn keeps no path lengths")
        subsample = forest._max_features != forest.n_features_in_
        feature, threshold, left, right, value, roots, offset = [], [], [], [], [], [], 0
        for tree, used, lengths, averages in zip(
            forest.estimators_,
            forest.estimators_features_,
            forest._decision_path_lengths,
            forest._average_path_length_per_tree,
        ):
            t = tree.tree_
            leaf = t.children_left < 0
            f = np.where(leaf, 0, t.feature)
            feature.append(np.asarray(used)[f] if subsample else f)
            threshold.append(np.where(leaf, np.inf, t.threshold))
            nodes = np.arange(t.node_count)
            left.append(np.where(leaf, nodes, t.children_left) + offset)
            right.append(np.where(leaf, nodes, t.children_right) + offset)
            value.append(lengths + averages - 1.0)
            roots.append(offset)
            offset += t.node_count
        self.feature, self.threshold = np.concatenate(feature), np.concatenate(threshold)
        self.left, self.right, self.value = np.concatenate(left), np.concatenate(right), np.concatenate(value)
        self.roots, self.depth = np.array(roots), max(tree.tree_.max_depth for tree in forest.estimators_)
        self.n_features = forest.n_features_in_
        self.trees = [
            (tree, np.asarray(used) if subsample else None, lengths + averages - 1.0)
            for tree, used, lengths, averages in zip(
                forest.estimators_,
                forest.estimators_features_,
                forest._decision_path_lengths,
                forest._average_path_length_per_tree,
            )
        ]
        self.denominator = len(forest.estimators_) * _average_path_length([forest._max_samples])

    def _depths(self, X: np.ndarray) -> np.ndarray:
        n = len(X)
        flat, at = X.ravel(), np.arange(n) * self.n_features
        node = np.repeat(self.roots[:, None], n, axis=1)
        for _ in range(self.depth):
            x = flat[at + self.feature[node]]
            node = np.where(x <= self.threshold[node], self.left[node], self.right[node])
        depths = np.zeros(n)
        for per_tree in self.value[node]:  # tree by tree, as scikit-learn adds them
            depths += per_tree
        return depths

    def _depths_tree_by_tree(self, X: np.ndarray) -> np.ndarray:
        depths = np.zeros(len(X))
        for tree, used, value in self.trees:
            depths += value[tree.tree_.apply(X if used is None else np.ascontiguousarray(X[:, used]))]
        return depths

    def score_samples(self, X: np.ndarray) -> np.ndarray:
        """scikit-learn's `score_samples`, negated: higher = more unusual."""
        X = np.ascontiguousarray(X, dtype=np.float32)
        require(not np.isnan(X).any(), "missing values reach the forest")
        depths = self._depths(X) if len(X) <= self.ROWS_AT_ONCE else self._depths_tree_by_tree(X)
        return 2 ** (-np.divide(depths, self.denominator, out=np.ones_like(depths), where=self.denominator != 0))


class CompiledAnomaly:
    """`AnomalyModel`: log-scaled, median-filled numbers and label shares as numpy, into the compiled forest."""

    def __init__(self, model, columns: dict[str, type]):
        require(all(c in columns and columns[c] is not str for c in model.numeric_), "numbers from text fields")
        require(all(c in columns and columns[c] is str for c in model.shares_), "labels from non-text fields")
        self.model, self.forest = model, CompiledForest(model.forest_)
        self.numeric, self.labels = list(model.numeric_), list(model.shares_)
        self.logged = np.array([c in model.log_columns_ for c in self.numeric], dtype=bool)
        self.shares = {
            c: {**shares, None: shares.get(MISSING, model.unseen_share_)} for c, shares in model.shares_.items()
        }
        self.top = np.array([max(model.shares_[c].values()) for c in self.labels])
        order = {c: i for i, c in enumerate([*self.numeric, *self.labels])}
        self.order = np.array([order[c] for c in model.feature_names_in_])
        self.names = np.asarray(model.feature_names_in_, dtype=object)

    def _numeric(self, rows: Inputs) -> np.ndarray:
        values = numbers_matrix(rows, self.numeric)
        logged = values[:, self.logged]
        values[:, self.logged] = np.sign(logged) * np.log1p(np.abs(logged))
        return np.where(np.isnan(values), self.model.medians_, values)

    def _shares(self, rows: Inputs) -> np.ndarray:
        unseen = self.model.unseen_share_
        columns = [[self.shares[c].get(v, unseen) for v in rows[c]] for c in self.labels]
        return np.array(columns, dtype=float).T.reshape(len(rows), len(self.labels))

    def explain(self, rows: Inputs, n: int = 3) -> tuple[np.ndarray, np.ndarray]:
        """Anomaly score and the `n` most unusual features (`AnomalyModel.top_features`) per row."""
        numeric, shares = self._numeric(rows), self._shares(rows)
        scores = self.forest.score_samples(np.hstack([numeric, shares]))
        z = np.hstack(
            [np.abs((numeric - self.model.medians_) / self.model.scales_), np.sqrt(2 * np.log(self.top / shares))]
        )
        order = np.argsort(-z[:, self.order], axis=1, kind="stable")[:, :n]
        names = self.names[order]
        return scores, np.hstack([names, np.full((len(rows), n - names.shape[1]), None)])

    def probes(self) -> dict[str, list]:
        values = {c: [None, m, 0.0, -2.0, 1.0, 50.0, 1e4, 1e7] for c, m in zip(self.numeric, self.model.medians_)}
        return values | {c: [*[k for k in s if k is not None], None, UNSEEN] for c, s in self.shares.items()}
