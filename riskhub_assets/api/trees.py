"""Perturbation reason codes of scikit-learn tree models without scoring every variant through every tree.

A variant sets one candidate feature to its typical-good value. In a tree it lands in another leaf only if the
row's path meets a split on that feature which the new value takes the other way; that depends on the leaf
alone, so at load every leaf learns which candidates' values leave it (a bit each). Scoring walks each tree
once for the rows as they are, walks again only the (tree, row, candidate) triples whose leaf a variant leaves,
and adds the per-tree probabilities tree by tree, as scikit-learn does: each variant's probability is the
model's own, to the last bit.
"""

import numpy as np


class TreeVariants:
    """The rows' probabilities and each candidate variant's drop in it, for a binary tree or forest classifier."""

    def __init__(self, trees: list, candidates: list[tuple[np.ndarray, np.ndarray]], width: int):
        feature, threshold, left, right, missing_left, value, roots, parent, offset = [], [], [], [], [], [], [], [], 0
        for tree in trees:
            t = tree.tree_
            leaf, nodes = t.children_left < 0, np.arange(t.node_count)
            feature.append(np.where(leaf, 0, t.feature))
            threshold.append(np.where(leaf, np.inf, t.threshold))
            left.append(np.where(leaf, nodes, t.children_left) + offset)
            right.append(np.where(leaf, nodes, t.children_right) + offset)
            missing_left.append(np.asarray(t.missing_go_to_left, dtype=bool))
            value.append(t.value[:, 0, 1])  # the tree's predict_proba for class 1 in each leaf
            up = np.full(t.node_count, -1)
            up[t.children_left[~leaf]], up[t.children_right[~leaf]] = nodes[~leaf], nodes[~leaf]
            parent.append(np.where(up < 0, -1, up + offset))
            roots.append(offset)
            offset += t.node_count
        self.trees, self.roots, self.depth = trees, np.array(roots), max(tree.tree_.max_depth for tree in trees)
        self.feature, self.threshold = np.concatenate(feature), np.concatenate(threshold)
        self.left, self.right, self.value = np.concatenate(left), np.concatenate(right), np.concatenate(value)
        self.missing_left = np.concatenate(missing_left)
        # each candidate's encoded values (float32, as the trees read them) by matrix column, NaN elsewhere
        self.at = np.full((len(candidates), width), np.nan, dtype=np.float32)
        self.sets = np.zeros((len(candidates), width), dtype=bool)
        for k, (positions, values) in enumerate(candidates):
            self.at[k, positions], self.sets[k, positions] = values, True
        self.leaves_left = self._leaves_left(np.concatenate(parent), self.left != np.arange(offset))

    def _goes_left(self, x: np.ndarray, node: np.ndarray) -> np.ndarray:
        """scikit-learn's split rule: a missing value goes the node's missing side, else left when <= threshold."""
        return np.where(np.isnan(x), self.missing_left[node], x <= self.threshold[node])

    def _leaves_left(self, parent: np.ndarray, internal: np.ndarray) -> np.ndarray:
        """Per node, a bit for each candidate whose value takes another way than this node's path somewhere."""
        nodes = np.arange(len(parent))
        child = parent >= 0
        up = parent[child]
        splits = self.sets[:, self.feature[up]] & internal[up]  # (candidates, children): the parent splits on it
        went_left = self._goes_left(self.at[:, self.feature[up]], up)
        off = splits & (went_left != (self.left[up] == nodes[child]))  # the candidate leaves the parent's path here
        strayed = np.zeros((len(self.at), len(parent)), dtype=bool)
        for _ in range(self.depth):  # parents before children: one level more per pass
            strayed[:, child] = strayed[:, up] | off
        dtype = next(d for d in (np.uint8, np.uint16, np.uint32, np.uint64) if np.iinfo(d).bits >= len(self.at))
        bits = np.zeros(len(parent), dtype=dtype)
        for k, row in enumerate(strayed):
            bits |= row.astype(dtype) << dtype(k)
        return bits

    def _walk(self, X: np.ndarray, node: np.ndarray, rows: np.ndarray, candidate: np.ndarray) -> np.ndarray:
        """The leaf each (row, candidate) variant reaches from `node`, its own values read as the candidate's."""
        for _ in range(self.depth):
            f = self.feature[node]
            x = np.where(self.sets[candidate, f], self.at[candidate, f], X[rows, f])
            node = np.where(self._goes_left(x, node), self.left[node], self.right[node])
        return node

    def _mean(self, values: np.ndarray) -> np.ndarray:
        """The forest's probability from its trees' (trees x rows): added tree by tree, then divided."""
        total = values[0].copy()
        for per_tree in values[1:]:
            total += per_tree
        return total / len(self.trees)

    def scored(self, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """PD per row, and PD drop per row and candidate (`CompiledExplained._scored`)."""
        X = np.ascontiguousarray(matrix, dtype=np.float32)
        leaves = np.stack([tree.tree_.apply(X) for tree in self.trees]) + self.roots[:, None]
        values = self.value[leaves]
        p, gains = self._mean(values), np.zeros((len(X), len(self.at)))
        moved = self.leaves_left[leaves]
        tree, row = np.nonzero(moved)
        shifts = np.arange(len(self.at), dtype=moved.dtype)
        pair, candidate = np.nonzero((moved[tree, row][:, None] >> shifts) & 1)
        tree, row = tree[pair], row[pair]
        new = self.value[self._walk(X, self.roots[tree], row, candidate)]
        # one column per (candidate, row) a variant changes: the row's per-tree values with the new leaves in
        column, first = np.unique(candidate * len(X) + row, return_inverse=True)
        varied = values[:, column % len(X)]
        varied[tree, first] = new
        gains[column % len(X), column // len(X)] = p[column % len(X)] - self._mean(varied)
        return p, gains


def tree_variants(classifier, candidates: list, width: int) -> TreeVariants | None:
    """`TreeVariants` of a fitted binary scikit-learn tree or forest classifier that adds its trees in order (one
    job); None for any other model."""
    from sklearn.ensemble._forest import ForestClassifier
    from sklearn.tree import DecisionTreeClassifier

    if isinstance(classifier, DecisionTreeClassifier):
        trees = [classifier]
    elif isinstance(classifier, ForestClassifier) and classifier.n_jobs in (None, 1):
        trees = classifier.estimators_
    else:
        return None
    if classifier.n_outputs_ != 1 or list(classifier.classes_) != [0, 1] or not 0 < len(candidates) <= 64:
        return None
    return TreeVariants(trees, candidates, width)
