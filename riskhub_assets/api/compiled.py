"""The served champions' arithmetic compiled to numpy: validated request rows to answers without pandas.

A pandas/scikit-learn pipeline call costs milliseconds whatever its row count (frame building, per-column
dtype handling, input checks), which capped the API at a few hundred single requests a second. At load,
`compile_model` reads a fitted model's parameters once (scorecard bins, WoE and points; imputation values and
one-hot layouts; label shares and medians; isolation trees as stacked arrays) into numpy lookups. Scoring then
turns request rows straight into the float matrix the model's own estimator (logistic regression, XGBoost,
forest) takes, or walks the isolation trees itself. The numbers are the pandas path's: serving compares both
on probe rows when it loads a model and serves the pandas path for any model that is not compiled or differs.
"""

import numpy as np
import pandas as pd

from riskhub_assets.api.inputs import Inputs, codes, numbers, numbers_matrix
from riskhub_assets.api.trees import tree_variants
from riskhub_assets.ml.explain import ExplainedClassifier, in_chunks, points_from_pd, reason_names
from riskhub_assets.ml.frame import MISSING

UNSEEN = "\x00riskhub: a label never seen in training"
"""A label no model knows, to learn how an encoder treats unknown labels."""


class NotCompilable(Exception):
    """The model (or one of its parts) has no compiled form: serve it through its own pandas path."""


def positive_proba(classifier):
    """A function of a float matrix giving `classifier.predict_proba(X)[:, 1]`; for a binary XGBoost classifier,
    its booster's own prediction, without the scikit-learn wrapper's per-call configuration round trips."""
    from xgboost import XGBClassifier

    if (
        isinstance(classifier, XGBClassifier)
        and classifier.objective == "binary:logistic"
        and classifier.booster in (None, "gbtree")
    ):
        booster, missing = classifier.get_booster(), classifier.missing
        iterations = classifier._get_iteration_range(None)  # the best iteration if it stopped early, else all
        return lambda X: booster.inplace_predict(X, iteration_range=iterations, missing=missing)
    return lambda X: classifier.predict_proba(X)[:, 1]


def _require(condition: bool, why: str) -> None:
    if not condition:
        raise NotCompilable(why)


class CompiledScorecard:
    """`Scorecard`: bin indices by searchsorted (numbers) or a dict (labels), WoE into its logistic regression."""

    def __init__(self, model, columns: dict[str, type]):
        self.model, self.features, self.bins = model, list(model.bins_), []
        for column, bins in model.bins_.items():
            _require(column in columns, f"scorecard feature {column} is not a request field")
            if bins.categories is not None:
                _require(columns[column] is str, f"scorecard feature {column} has labels but is not a text field")
                known = {label: i for i, label in enumerate(bins.categories)}
                known[None] = len(bins.categories) + 1  # MISSING bin; any other label is OTHER
                self.bins.append((column, None, known, len(bins.categories)))
            else:
                _require(columns[column] is not str, f"scorecard feature {column} is numeric but a text field")
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


class CompiledColumns:
    """A fitted ColumnTransformer of SimpleImputer (numbers) and OneHotEncoder (labels) blocks, as lookups.

    Each input column is encoded on its own: numbers with NaN replaced by the imputer's statistic, labels by the
    rows of a table made by asking the fitted encoder itself about every label it knows, a missing one and an
    unseen one (so its handling of rare, unknown and missing labels is whatever scikit-learn does).
    """

    def __init__(self, transformer, columns: dict[str, type]):
        from sklearn.impute import SimpleImputer
        from sklearn.preprocessing import OneHotEncoder

        self.numeric, self.labels, width = {}, {}, 0  # column: (positions, fill) / (positions, known, unseen, table)
        base_blocks = []
        for name, step, selected in transformer.transformers_:
            selected = list(selected) if not isinstance(selected, str) else [selected]
            if step == "drop" or not selected:
                continue
            _require(all(isinstance(c, str) and c in columns for c in selected), f"{name}: columns not by name")
            if step == "passthrough" or isinstance(step, SimpleImputer):
                if isinstance(step, SimpleImputer):
                    missing = step.missing_values
                    _require(isinstance(missing, float) and np.isnan(missing), f"{name}: imputes non-NaN values")
                    _require(not step.add_indicator, f"{name}: adds missing indicators")
                    fill = np.asarray(step.statistics_, dtype=float)
                    _require(len(fill) == len(selected) and np.isfinite(fill).all(), f"{name}: drops empty columns")
                else:
                    fill = np.full(len(selected), np.nan)
                _require(all(columns[c] is not str for c in selected), f"{name}: numbers from a text field")
                for i, column in enumerate(selected):
                    self.numeric[column] = (np.array([width + i]), fill[i])
                width += len(selected)
                base_blocks.append(np.zeros(len(selected)))
            elif isinstance(step, OneHotEncoder):
                _require(all(columns[c] is str for c in selected), f"{name}: one-hot encodes a non-text field")
                block, probed = self._probe(step, selected)
                for column, (known, unseen, table) in probed.items():
                    varying = np.flatnonzero((table != table[0]).any(axis=0))
                    self.labels[column] = (width + varying, known, unseen, table[:, varying])
                width += len(block)
                base_blocks.append(block)
            else:
                raise NotCompilable(f"{name}: no compiled form for {type(step).__name__}")
        self.width, self.base = width, np.concatenate(base_blocks) if base_blocks else np.zeros(0)

    @staticmethod
    def _probe(encoder, selected: list[str]) -> tuple[np.ndarray, dict]:
        """The encoder's output for a base row, and per column the output rows for every label it can meet."""

        def encoded(frame: pd.DataFrame) -> np.ndarray:
            out = encoder.transform(frame)
            return np.asarray(out.toarray() if hasattr(out, "toarray") else out, dtype=float)

        labels = {
            c: [*[v for v in cats if isinstance(v, str)], None, UNSEEN]
            for c, cats in zip(selected, encoder.categories_)
        }
        _require(all(UNSEEN not in v[:-1] for v in labels.values()), "a category equals the unseen probe")
        base = {c: v[0] for c, v in labels.items()}
        probed = {}
        for column, values in labels.items():
            frame = pd.DataFrame(
                {c: values if c == column else [base[c]] * len(values) for c in selected}, dtype=object
            )
            known = {v: i for i, v in enumerate(values[:-1])}
            probed[column] = (known, len(values) - 1, encoded(frame))
        return encoded(pd.DataFrame({c: [v] for c, v in base.items()}, dtype=object))[0], probed

    def encode(self, column: str, rows: Inputs) -> tuple[np.ndarray, np.ndarray]:
        """The matrix columns `column` fills, and their values for `rows`."""
        if column in self.numeric:
            positions, fill = self.numeric[column]
            x = numbers(rows, column)
            return positions, np.where(np.isnan(x), fill, x)[:, None]
        if column in self.labels:
            positions, known, unseen, table = self.labels[column]
            return positions, table[codes(rows, column, known, unseen)]
        return np.zeros(0, dtype=np.intp), np.zeros((len(rows), 0))

    def transform(self, rows: Inputs) -> np.ndarray:
        matrix = np.tile(self.base, (len(rows), 1))
        if self.numeric:
            positions = np.concatenate([p for p, _ in self.numeric.values()])
            fill = np.array([f for _, f in self.numeric.values()])
            x = numbers_matrix(rows, list(self.numeric))
            matrix[:, positions] = np.where(np.isnan(x), fill, x)
        for column in self.labels:
            positions, values = self.encode(column, rows)
            matrix[:, positions] = values
        return matrix


class CompiledExplained:
    """`ExplainedClassifier` over a (ColumnTransformer, classifier) pipeline: the same perturbation reason codes.

    The candidate variants (each candidate feature at its typical-good value) are made on the encoded matrix by
    overwriting that feature's columns, and go through the classifier in one call, as in `ExplainedClassifier`;
    rows whose variant would be themselves are left out of the call. A scikit-learn tree or forest scores only
    the variants' trees whose leaf changes (`TreeVariants`), with the same numbers.
    """

    def __init__(self, model, columns: dict[str, type]):
        from sklearn.compose import ColumnTransformer
        from sklearn.pipeline import Pipeline

        _require(isinstance(model, ExplainedClassifier), "not an ExplainedClassifier")
        pipeline = model.estimator_
        _require(isinstance(pipeline, Pipeline) and len(pipeline.steps) == 2, "not a (transformer, model) pipeline")
        _require(isinstance(pipeline.steps[0][1], ColumnTransformer), "the pipeline does not start with columns")
        self.model, self.classifier = model, pipeline.steps[1][1]
        self.proba = positive_proba(self.classifier)
        self.columns = CompiledColumns(pipeline.steps[0][1], columns)
        self.candidates = []
        for column, value in model.reference_.items():
            _require(column in columns, f"candidate reason {column} is not a request field")
            missing = value is None or (isinstance(value, float) and np.isnan(value))
            value = None if missing else value if columns[column] is str else float(value)
            positions, encoded = self.columns.encode(column, Inputs({column: [value]}, 1))  # as a request carries it
            self.candidates.append((positions, encoded[0]))
        self.trees = tree_variants(self.classifier, self.candidates, self.columns.width)

    def _scored(self, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """PD per row, and PD drop per row and candidate; a row already at a candidate's typical-good value is not
        scored again for it (its drop is exactly 0, as the model gives one row the same PD in any batch)."""
        if self.trees is not None:
            return self.trees.scored(matrix)
        blocks, moved = [matrix], []
        for positions, value in self.candidates:
            rows = np.flatnonzero(~(matrix[:, positions] == value).all(axis=1))
            variant = matrix[rows]
            variant[:, positions] = value
            blocks.append(variant)
            moved.append(rows)
        p = self.proba(np.vstack(blocks))
        n = len(matrix)
        gains, start = np.zeros((n, len(self.candidates))), n
        for k, rows in enumerate(moved):
            gains[rows, k] = p[rows] - p[start : start + len(rows)]
            start += len(rows)
        return p[:n], gains

    def explain(self, rows: Inputs, n: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        matrix = self.columns.transform(rows)
        p, gains = in_chunks(
            lambda part: self._scored(matrix[part]), len(matrix), self.model._chunk, len(self.candidates)
        )
        points = points_from_pd(p, self.model.pdo, self.model.base_score, self.model.base_odds)
        return p, points, reason_names(gains, list(self.model.reference_), n)

    def probes(self) -> dict[str, list]:
        values = {c: [*known, UNSEEN] for c, (_, known, _, _) in self.columns.labels.items()}
        for column, (_, fill) in self.columns.numeric.items():
            values[column] = [None, fill, 0.0, -1.0, 1.0, 1e9, -1e9, 0.5, 7.25, 1234.5]
        return values


class CompiledChurn:
    """`ChurnModel`: its TableEncoder's numbers and one-hot labels as numpy, into its calibrated boosters.

    The calibrated average is CalibratedClassifierCV's arithmetic without its per-call label encoding and input
    checks: each booster's P(churn), through its sigmoid (or isotonic) calibrator, summed then divided.
    """

    def __init__(self, model, columns: dict[str, type]):
        from sklearn.calibration import _SigmoidCalibration

        encoder = model.encoder_
        _require(all(c in columns and columns[c] is not str for c in encoder.numeric_), "numbers from text fields")
        _require(all(c in columns and columns[c] is str for c in encoder.categories_), "labels from non-text fields")
        self.model, self.numeric = model, list(encoder.numeric_)
        self.labels = {c: ({v: i for i, v in enumerate(cats)} | {None: len(cats) + 1}, len(cats), np.eye(len(cats) + 2))
                       for c, cats in encoder.categories_.items()}  # fmt: skip
        calibrated = model.model_
        _require(len(calibrated.classes_) == 2 and calibrated.method in ("sigmoid", "isotonic"), "not a binary fit")
        self.calibrated = []
        for part in calibrated.calibrated_classifiers_:
            _require(len(part.calibrators) == 1 and not hasattr(part.estimator, "decision_function"), "other scores")
            _require(list(part.estimator.classes_) == [0, 1], "the booster's classes are not 0, 1")
            calibrator = part.calibrators[0]
            sigmoid = isinstance(calibrator, _SigmoidCalibration)
            self.calibrated.append(
                (positive_proba(part.estimator), (calibrator.a_, calibrator.b_) if sigmoid else calibrator)
            )

    def transform(self, rows: Inputs) -> np.ndarray:
        blocks = [numbers_matrix(rows, self.numeric)]
        blocks += [eye[codes(rows, c, known, other)] for c, (known, other, eye) in self.labels.items()]
        return np.hstack(blocks)

    def proba(self, rows: Inputs) -> np.ndarray:
        from scipy.special import expit

        matrix = self.transform(rows)
        total = np.zeros(len(matrix))
        for booster, calibrator in self.calibrated:
            score = booster(matrix)
            p = (
                expit(-(calibrator[0] * score + calibrator[1]))
                if isinstance(calibrator, tuple)
                else calibrator.predict(score)
            )
            total += np.where((1.0 < p) & (p <= 1.0 + 1e-5), 1.0, p)
        return total / len(self.calibrated)

    def probes(self) -> dict[str, list]:
        values = {c: [None, 0.0, 1.0, -3.5, 2.25, 40.0, 1e6] for c in self.numeric}
        return values | {c: [*known, UNSEEN] for c, (known, _, _) in self.labels.items()}


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

        _require(hasattr(forest, "_decision_path_lengths"), "this scikit-learn keeps no path lengths")
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
        _require(not np.isnan(X).any(), "missing values reach the forest")
        depths = self._depths(X) if len(X) <= self.ROWS_AT_ONCE else self._depths_tree_by_tree(X)
        return 2 ** (-np.divide(depths, self.denominator, out=np.ones_like(depths), where=self.denominator != 0))


class CompiledAnomaly:
    """`AnomalyModel`: log-scaled, median-filled numbers and label shares as numpy, into the compiled forest."""

    def __init__(self, model, columns: dict[str, type]):
        _require(all(c in columns and columns[c] is not str for c in model.numeric_), "numbers from text fields")
        _require(all(c in columns and columns[c] is str for c in model.shares_), "labels from non-text fields")
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


def compile_model(kind: str, model, columns: dict[str, type]):
    """The compiled form of a served model; NotCompilable when it has none."""
    from riskhub_assets.ml import AnomalyModel, ChurnModel, Scorecard

    if kind == "default" and isinstance(model, Scorecard):
        return CompiledScorecard(model, columns)
    if kind == "default" and isinstance(model, ExplainedClassifier):
        return CompiledExplained(model, columns)
    if kind == "churn" and isinstance(model, ChurnModel):
        return CompiledChurn(model, columns)
    if kind == "anomaly" and isinstance(model, AnomalyModel):
        return CompiledAnomaly(model, columns)
    raise NotCompilable(f"no compiled form of a {type(model).__name__} {kind} model")


def probe_rows(compiled, columns: dict[str, type], n: int = 97) -> list[dict]:
    """Varied request rows for comparing a compiled model with its pandas path: every probe value of every
    column (bin edges and either side, known, missing and unseen labels, extremes), mixed across rows."""
    values = compiled.probes()
    rows = []
    for i in range(max(n, *(len(v) for v in values.values()))):
        row = {}
        for j, (column, kind) in enumerate(columns.items()):
            options = values.get(column) or ([None, "a"] if kind is str else [None, 0.0, 1.0])
            value = options[(i + 7 * j * (i // len(options))) % len(options)]
            row[column] = (value > 0) if kind is bool and value is not None else value
        rows.append(row)
    return rows
