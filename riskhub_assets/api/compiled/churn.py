"""The churn model compiled: its encoder's numbers and one-hot labels as numpy, into its calibrated boosters."""

import numpy as np

from riskhub_assets.api.compiled.common import UNSEEN, positive_proba, require
from riskhub_assets.api.inputs import Inputs, codes, numbers_matrix


class CompiledChurn:
    """`ChurnModel`: its TableEncoder's numbers and one-hot labels as numpy, into its calibrated boosters.

    The calibrated average is CalibratedClassifierCV's arithmetic without its per-call label encoding and input
    checks: each booster's P(churn), through its sigmoid (or isotonic) calibrator, summed then divided.
    """

    def __init__(self, model, columns: dict[str, type]):
        from sklearn.calibration import _SigmoidCalibration

        encoder = model.encoder_
        require(all(c in columns and columns[c] is not str for c in encoder.numeric_), "numbers from text fields")
        require(all(c in columns and columns[c] is str for c in encoder.categories_), "labels from non-text fields")
        self.model, self.numeric = model, list(encoder.numeric_)
        self.labels = {c: ({v: i for i, v in enumerate(cats)} | {None: len(cats) + 1}, len(cats), np.eye(len(cats) + 2))
                       for c, cats in encoder.categories_.items()}  # fmt: skip
        calibrated = model.model_
        require(len(calibrated.classes_) == 2 and calibrated.method in ("sigmoid", "isotonic"), "not a binary fit")
        self.calibrated = []
        for part in calibrated.calibrated_classifiers_:
            require(len(part.calibrators) == 1 and not hasattr(part.estimator, "decision_function"), "other scores")
            require(list(part.estimator.classes_) == [0, 1], "the booster's classes are not 0, 1")
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
