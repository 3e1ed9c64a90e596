"""The scorecard compiled: bins by searchsorted or a dict, WoE into its logistic regression, points and reasons."""

import numpy as np

from riskhub_assets.api.compiled.common import UNSEEN, require
from riskhub_assets.api.inputs import Inputs, codes, numbers_matrix
from riskhub_assets.ml.explain import reason_names


class CompiledScorecard:
    """`Scorecard`: bin indices by searchsorted (numbers) or a dict (labels), WoE into its logistic regression."""

    def __init__(self, model, columns: dict[str, type]):
        self.model, self.features, self.bins = model, list(model.bins_), []
        for column, bins in model.bins_.items():
            require(column in columns, f"scorecard feature {column} is not a request field")
            if bins.categories is not None:
                require(columns[column] is str, f"scorecard feature {column} has labels but is not a text field")
                known = {label: i for i, label in enumerate(bins.categories)}
                known[None] = len(bins.categories) + 1  # MISSING bin; any other label is OTHER
                self.bins.append((column, None, known, len(bins.categories)))
            else:
                require(columns[column] is not str, f"scorecard feature {column} is numeric but a text field")
                self.bins.append((column, np.asarray(bins.edges, dtype=float), None, None))
        self.woe = [bins.woe_ for bins in model.bins_.values()]
        self.points = [model.points_[c] for c in model.bins_]
        self.best = np.array([p[b.count_ > 0].max() for p, b in zip(self.points, model.bins_.values())])

    def _index(self, rows: Inputs) -> list[np.ndarray]:
        numeric = [column for column, edges, _, _ in self.bins if edges is not None]
        values = dict(zip(numeric, numbers_matrix(rows, numeric).T))
        index = []
        for column, edges, known, other in self.bins:
            if edges is None:
                index.append(codes(rows, column, known, other))
            else:
                x = values[column]
                index.append(np.where(np.isnan(x), len(edges) + 1, np.searchsorted(edges, x, side="left")))
        return index

    def explain(self, rows: Inputs, n: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        index = self._index(rows)
        woe = np.column_stack([w[i] for w, i in zip(self.woe, index)])
        points = np.column_stack([p[i] for p, i in zip(self.points, index)])
        return (
            self.model.model_.predict_proba(woe)[:, 1],
            points.sum(axis=1),
            reason_names(self.best - points, self.features, n),
        )

    def probes(self) -> dict[str, list]:
        values = {}
        for column, edges, known, _ in self.bins:
            if edges is None:
                values[column] = [*known, UNSEEN]
            else:
                values[column] = [None, *edges, *(edges - 1e-3), *(edges + 1e-3), -1e9, 1e9]
        return values
