"""Reading any bank's table as model input: numeric columns as numbers, every other column as category labels."""

import numpy as np
import pandas as pd

OTHER = "(other)"
"""The bin or column for category labels too rare at fit time, or never seen then."""

MISSING = "(missing)"
"""The bin or column for missing values."""


def as_frame(X) -> pd.DataFrame:
    """The table as a DataFrame with text column names, whatever table-like object the caller passed."""
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X)
    return frame if all(isinstance(c, str) for c in frame.columns) else frame.rename(columns=str)


def is_numeric(column: pd.Series) -> bool:
    """Whether a column holds numbers (amounts, counts, flags) rather than category labels."""
    return pd.api.types.is_numeric_dtype(column)


def as_numbers(column: pd.Series) -> np.ndarray:
    """A numeric column as floats, missing values as NaN."""
    return column.astype("float64").to_numpy()


def as_text(column: pd.Series) -> pd.Series:
    """A category column as text labels, missing values as <NA>."""
    return column.astype("string")


def category_codes(column: pd.Series, categories: list[str]) -> np.ndarray:
    """Each value's position in `categories`; len(categories) when rare or unseen (OTHER), one more when missing."""
    text = as_text(column)
    codes = pd.Categorical(text, categories=categories).codes.astype(int)
    return np.where(codes >= 0, codes, np.where(text.isna().to_numpy(), len(categories) + 1, len(categories)))


class TableEncoder:
    """The fit-time layout of a table: its numeric columns, and which category labels get a column of their own."""

    def __init__(self, min_share: float = 0.01, max_categories: int = 20):
        self.min_share = min_share
        self.max_categories = max_categories

    def fit(self, X: pd.DataFrame) -> "TableEncoder":
        """Learn the numeric columns and, per category column, its labels frequent enough to keep."""
        self.numeric_ = [c for c in X.columns if is_numeric(X[c])]
        self.categories_ = {}
        for column in [c for c in X.columns if c not in self.numeric_]:
            shares = as_text(X[column]).value_counts(normalize=True)
            self.categories_[column] = list(shares[shares >= self.min_share].index[: self.max_categories])
        self.sources_ = self.numeric_ + [c for c, cats in self.categories_.items() for _ in [*cats, OTHER, MISSING]]
        return self

    def numeric(self, X: pd.DataFrame) -> np.ndarray:
        """The numeric columns as a float matrix, NaN where missing."""
        return np.column_stack([as_numbers(X[c]) for c in self.numeric_]) if self.numeric_ else np.empty((len(X), 0))

    def one_hot(self, X: pd.DataFrame) -> np.ndarray:
        """The category columns one-hot encoded, rare or unseen labels in OTHER and missing ones in MISSING."""
        blocks = []
        for column, cats in self.categories_.items():
            blocks.append(np.eye(len(cats) + 2)[category_codes(X[column], cats)])
        return np.hstack(blocks) if blocks else np.empty((len(X), 0))

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        """The whole table as one float matrix; `sources_` names the original column behind each matrix column."""
        return np.hstack([self.numeric(X), self.one_hot(X)])
