"""A (ColumnTransformer, classifier) pipeline compiled: its columns as lookups, its reason codes by variants."""

import numpy as np
import pandas as pd

from riskhub_assets.api.compiled.common import UNSEEN, NotCompilable, positive_proba, require
from riskhub_assets.api.inputs import Inputs, codes, numbers, numbers_matrix
from riskhub_assets.api.trees import tree_variants
from riskhub_assets.ml.explain import ExplainedClassifier, in_chunks, points_from_pd, reason_names


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
            require(all(isinstance(c, str) and c in columns for c in selected), f"{name}: columns not by name")
            if step == "passthrough" or isinstance(step, SimpleImputer):
                if isinstance(step, SimpleImputer):
                    missing = step.missing_values
                    require(isinstance(missing, float) and np.isnan(missing), f"{name}: imputes non-NaN values")
                    require(not step.add_indicator, f"{name}: adds missing indicators")
                    fill = np.asarray(step.statistics_, dtype=float)
                    require(len(fill) == len(selected) and np.isfinite(fill).all(), f"{name}: drops empty columns")
                else:
                    fill = np.full(len(selected), np.nan)
                require(all(columns[c] is not str for c in selected), f"{name}: numbers from a text field")
                for i, column in enumerate(selected):
                    self.numeric[column] = (np.array([width + i]), fill[i])
                width += len(selected)
                base_blocks.append(np.zeros(len(selected)))
            elif isinstance(step, OneHotEncoder):
                require(all(columns[c] is str for c in selected), f"{name}: one-hot encodes a non-text field")
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
        require(all(UNSEEN not in v[:-1] for v in labels.values()), "a category equals the unseen probe")
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

        require(isinstance(model, ExplainedClassifier), "not an ExplainedClassifier")
        pipeline = model.estimator_
        require(isinstance(pipeline, Pipeline) and len(pipeline.steps) == 2, "not a (transformer, model) pipeline")
        require(isinstance(pipeline.steps[0][1], ColumnTransformer), "the pipeline does not start with columns")
        self.model, self.classifier = model, pipeline.steps[1][1]
        self.proba = positive_proba(self.classifier)
        self.columns = CompiledColumns(pipeline.steps[0][1], columns)
        self.candidates = []
        for column, value in model.reference_.items():
            require(column in columns, f"candidate reason {column} is not a request field")
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
