"""What is usual in each context: per label of each label column, the robust median and scale of each number, or the
share of each value of a few-valued number (the hour, a count), shrunk towards everyone's for small groups."""

import numpy as np
import pandas as pd

from riskhub_assets.ml.frame import MISSING, as_numbers, as_text, is_numeric

EVERYONE = ""
"""The context of all rows (and its only label): what is usual for everyone."""
SEP = "\x1f"
"""Separates a label from a value in the keys of the few-valued shares."""


def robust_scale(values: np.ndarray) -> float:
    """A typical deviation in standard-deviation units: IQR / 1.349, else 1.4826 * MAD, else the SD, else 1."""
    values = values[~np.isnan(values)]
    if values.size < 2:
        return 1.0
    q1, q3 = np.quantile(values, [0.25, 0.75])
    mad = np.median(np.abs(values - np.median(values)))
    return next((float(s) for s in ((q3 - q1) / 1.349, 1.4826 * mad, values.std()) if s > 0), 1.0)


def _labels(X: pd.DataFrame, column: str) -> pd.Series:
    """A label column as text, missing labels as MISSING (a context like any other)."""
    return as_text(X[column]).fillna(MISSING).astype(object)


def _value_keys(values: np.ndarray) -> pd.Series:
    """Few-valued numbers as text keys ("3"), missing as None."""
    keys = pd.Series(values).round().astype("Int64").astype("string")
    return keys.astype(object).where(keys.notna(), None)


class ContextStats:
    """The usual of every measure (a number, or a number against its per-row baseline) in every context."""

    def __init__(self, baselines: dict, min_group_rows: int, max_discrete: int, skew_threshold: float):
        self.baselines = {k: list(v) for k, v in baselines.items()}
        self.min_group_rows = min_group_rows
        self.max_discrete = max_discrete
        self.skew_threshold = skew_threshold

    def fit(self, X: pd.DataFrame) -> "ContextStats":
        """Learn which columns are measures and contexts, and each measure's usual per context label."""
        missing = {c for v, (b, _) in self.baselines.items() for c in (v, b) if c not in X.columns}
        if missing:
            raise ValueError(f"baselines name columns the table does not have: {sorted(missing)}")
        bases = {b for b, _ in self.baselines.values()}
        numeric = [c for c in X.columns if is_numeric(X[c]) and c not in bases]
        self.contexts_ = [c for c in X.columns if not is_numeric(X[c])]
        self.measures_ = [[c, c, "", ""] for c in numeric] + [
            [f"{v} vs {b}", v, b, phrase] for v, (b, phrase) in self.baselines.items()
        ]
        self.log_, self.discrete_ = [], []
        for name, source, base, _ in self.measures_:
            raw = as_numbers(X[source])
            present = raw[~np.isnan(raw)]
            if not base and present.size and present.min() >= 0 and pd.Series(present).skew() > self.skew_threshold:
                self.log_.append(name)
            few = np.unique(present).size <= self.max_discrete and np.all(present == np.round(present))
            if not base and few:
                self.discrete_.append(name)
        labels = {c: _labels(X, c) for c in self.contexts_}
        self.usual_ = {}
        for m, (name, *_) in enumerate(self.measures_):
            values = self.values(X, m)
            fit = self._fit_shares if name in self.discrete_ else self._fit_centres
            self.usual_[name] = fit(values, labels)
        return self

    def measure_columns(self) -> list[str]:
        """The input column each measure judges (a number judged against its baseline is named by the number)."""
        return [source for _, source, _, _ in self.measures_]

    def values(self, X: pd.DataFrame, m: int) -> np.ndarray:
        """A measure's values as compared: log-scaled where chosen at fit, a ratio to its baseline on a log scale."""
        name, source, base, _ = self.measures_[m]
        raw = as_numbers(X[source])
        if base:
            baseline = as_numbers(X[base])
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where((raw > 0) & (baseline > 0), np.log(raw / baseline), np.nan)
        return np.sign(raw) * np.log1p(np.abs(raw)) if name in self.log_ else raw

    def _shrunk(self, n: np.ndarray, own: np.ndarray, everyone: float) -> np.ndarray:
        return (n * own + self.min_group_rows * everyone) / (n + self.min_group_rows)

    def _fit_centres(self, values: np.ndarray, labels: dict[str, pd.Series]) -> dict:
        """Per context label: the median and typical deviation, shrunk towards everyone's for small groups."""
        present = ~np.isnan(values)
        median = float(np.median(values[present])) if present.any() else 0.0
        scale = robust_scale(values)
        usual = {EVERYONE: {EVERYONE: [median, scale]}}
        for context, label in labels.items():
            groups = pd.DataFrame({"label": label[present].to_numpy(), "v": values[present]}).groupby("label")["v"]
            stats = groups.agg(["size", "median", lambda v: robust_scale(v.to_numpy())])
            n = stats["size"].to_numpy(float)
            centre = self._shrunk(n, stats["median"].to_numpy(), median)
            spread = np.maximum(self._shrunk(n, stats.iloc[:, 2].to_numpy(), scale), 0.25 * scale)
            usual[context] = {k: [float(c), float(s)] for k, c, s in zip(stats.index, centre, spread)}
        return usual

    def _fit_shares(self, values: np.ndarray, labels: dict[str, pd.Series]) -> dict:
        """Per context label: each value's share of its rows, shrunk towards everyone's shares for small groups."""
        keys = _value_keys(values)
        present = keys.notna().to_numpy()
        everyone = keys[present].value_counts(normalize=True)
        usual = {EVERYONE: {"share": everyone.to_dict(), "floor": 0.5 / max(present.sum(), 1)}}
        for context, label in labels.items():
            counts = pd.crosstab(label[present].to_numpy(), keys[present].to_numpy()).reindex(
                columns=everyone.index, fill_value=0
            )
            n = counts.sum(axis=1).to_numpy(float)[:, None]
            shares = (counts.to_numpy() + self.min_group_rows * everyone.to_numpy()) / (n + self.min_group_rows)
            share = pd.DataFrame(shares, index=counts.index, columns=counts.columns).stack()
            seen = counts.stack() > 0  # the others' shares follow from everyone's (see _share_z)
            usual[context] = {
                "share": {f"{k}{SEP}{v}": float(p) for (k, v), p in share[seen].items()},
                "rows": dict(zip(counts.index, n[:, 0].tolist())),
                "mode": dict(zip(counts.index, shares.max(axis=1).tolist())),
            }
        return usual

    def z(self, X: pd.DataFrame) -> np.ndarray:
        """Signed deviations, rows x measures x contexts (everyone first): for a number, (value - usual median) /
        usual scale; for a few-valued number, how much rarer its value is than the label's commonest, as the normal
        deviate as much less likely (sqrt(2 ln(commonest share / share))). A missing value deviates by 0, and so does
        a number wherever its baseline is known (the baseline's ratio judges it there)."""
        labels = [pd.Series([EVERYONE] * len(X), dtype=object)] + [
            _labels(X, c).reset_index(drop=True) for c in self.contexts_
        ]
        out = np.zeros((len(X), len(self.measures_), len(labels)))
        for m, (name, source, base, _) in enumerate(self.measures_):
            values, usual = self.values(X, m), self.usual_[name]
            keys = _value_keys(values) if name in self.discrete_ else None
            for g, (context, label) in enumerate(zip([EVERYONE, *self.contexts_], labels)):
                out[:, m, g] = (
                    self._centre_z(values, usual, context, label)
                    if keys is None
                    else self._share_z(keys, usual, context, label)
                )
            if not base and source in self.baselines:  # judged against its own baseline wherever there is one
                out[as_numbers(X[self.baselines[source][0]]) > 0, m, :] = 0.0
        return np.nan_to_num(out, nan=0.0)

    @staticmethod
    def _centre_z(values: np.ndarray, usual: dict, context: str, label: pd.Series) -> np.ndarray:
        median, scale = usual[EVERYONE][EVERYONE]
        table = usual[context]
        centre = label.map({k: v[0] for k, v in table.items()}).fillna(median).to_numpy(float)
        spread = label.map({k: v[1] for k, v in table.items()}).fillna(scale).to_numpy(float)
        return (values - centre) / spread

    def _share_z(self, keys: pd.Series, usual: dict, context: str, label: pd.Series) -> np.ndarray:
        everyone = usual[EVERYONE]
        p_all = keys.map(everyone["share"]).astype(float).fillna(everyone["floor"]).to_numpy()
        mode_all = max(everyone["share"].values(), default=1.0)
        if context == EVERYONE:
            share, mode = p_all, np.full(len(keys), mode_all)
        else:
            table = usual[context]
            rows = label.map(table["rows"]).astype(float).fillna(0.0).to_numpy()
            fallback = self.min_group_rows * p_all / (rows + self.min_group_rows)
            share = (label + SEP + keys.fillna("")).map(table["share"]).astype(float).to_numpy()
            share = np.where(np.isnan(share), fallback, share)
            mode = label.map(table["mode"]).astype(float).fillna(mode_all).to_numpy()
        z = np.sqrt(2 * np.log(np.maximum(mode / share, 1.0)))
        return np.where(keys.isna().to_numpy(), 0.0, z)


def _times(ratio: float) -> str:
    """A ratio in words: "14x", "0.05x"."""
    return f"{ratio:.2g}x" if ratio < 10 else f"{ratio:.0f}x"


def deviation_text(stats: ContextStats, row: pd.Series, m: int, g: int) -> str:
    """Why measure `m` of `row` is unusual in context `g` (0 = everyone), naming the context."""
    name, source, base, phrase = stats.measures_[m]
    context = EVERYONE if g == 0 else stats.contexts_[g - 1]
    label = EVERYONE if g == 0 else (MISSING if pd.isna(row[context]) else str(row[context]))
    where = "all rows" if g == 0 else f"{context} {label}"
    value = float(row[source])
    if base:
        labels = {c: (MISSING if pd.isna(row[c]) else row[c]) for c in stats.contexts_}
        return f"{source} {_times(value / float(row[base]))} {phrase.format_map(labels)}"
    usual = stats.usual_[name][context]
    if name in stats.discrete_:
        everyone = stats.usual_[name][EVERYONE]
        share = everyone["share"].get(str(int(value)), everyone["floor"])
        if g:
            rows = usual["rows"].get(label, 0.0)
            fallback = stats.min_group_rows * share / (rows + stats.min_group_rows)
            share = usual["share"].get(f"{label}{SEP}{int(value)}", fallback)
        return f"{source} {value:g} in {share:.2%} of rows for {where}"
    centre = usual.get(label, stats.usual_[name][EVERYONE][EVERYONE])[0]
    if name in stats.log_ and value > 0:
        return f"{source} {_times(value / max(np.expm1(centre), 1e-9))} the median for {where}"
    return f"{source} {value:g} against a median of {centre:.4g} for {where}"
