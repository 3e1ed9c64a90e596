"""Validated request inputs column by column, as the compiled models read them, and their numpy forms."""

from operator import itemgetter

import numpy as np


class Inputs:
    """Validated rows held by column: each field's values in row order, as a list (None when unknown, flags as
    booleans) or, from an Arrow body, as a float array for numbers and flags (NaN when unknown, flags 0/1)."""

    def __init__(self, columns: dict[str, list | np.ndarray], n: int):
        self.columns, self.n = columns, n

    @classmethod
    def of_rows(cls, rows: list[dict]) -> "Inputs":
        """Rows (dicts of the same fields, as a request schema validates them) as columns."""
        if not rows:
            return cls({}, 0)
        names = list(rows[0])
        values = zip(*map(itemgetter(*names), rows)) if len(names) > 1 else [[row[names[0]] for row in rows]]
        return cls(dict(zip(names, map(list, values))), len(rows))

    def part(self, rows: slice) -> "Inputs":
        """These rows only (a range of them)."""
        return Inputs({c: values[rows] for c, values in self.columns.items()}, len(range(*rows.indices(self.n))))

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, column: str) -> list | np.ndarray:
        return self.columns[column]

    def get(self, column: str) -> list | np.ndarray:
        """The column's values, or None for every row when the request did not carry it."""
        values = self.columns.get(column)
        return [None] * self.n if values is None else values


def numbers(inputs: Inputs, column: str) -> np.ndarray:
    """A column as floats: null as NaN, flags as 0.0/1.0 (as the pandas path reads them)."""
    return np.array(inputs[column], dtype=float).reshape(len(inputs))


def numbers_matrix(inputs: Inputs, columns: list[str]) -> np.ndarray:
    """Columns as a float matrix (rows x columns), in one conversion (null as NaN, flags as 0.0/1.0)."""
    return np.array([inputs[c] for c in columns], dtype=float).reshape(len(columns), len(inputs)).T


def codes(inputs: Inputs, column: str, known: dict, unseen: int) -> np.ndarray:
    """Each label's position in `known` (which also maps None, the missing label), else `unseen`."""
    return np.fromiter((known.get(v, unseen) for v in inputs[column]), dtype=np.intp, count=len(inputs))
