"""How much evidence a client model rests on: clients with and without the outcome it learns from and is validated
on, against the minimum the bank sets (RISKHUB_MIN_TRAINING_EVENTS)."""

import math
from dataclasses import dataclass

import pandas as pd

from riskhub_assets.lib.model_outcome import GateVerdict, NotEnoughHistory
from riskhub_assets.lib.settings import MIN_TRAINING_EVENTS_VAR

EVIDENCE_GATE = "enough_validation_events"


class TooFewEvents(NotEnoughHistory):
    """Too few clients with (or without) the outcome to learn from; the message gives the counts and the setting."""


@dataclass(frozen=True)
class Evidence:
    """Distinct clients with and without the outcome, in the training and in the out-of-time validation rows."""

    label: str
    minimum: int
    train_events: int
    train_non_events: int
    test_events: int
    test_non_events: int

    @property
    def event(self) -> str:
        """The outcome in words: default_label -> default."""
        return self.label.removesuffix("_label")

    def counts(self, rows: str) -> str:
        """The counts of one side ("training" or "validation"), with the minimum and the setting that sets it."""
        events, non_events = (
            (self.train_events, self.train_non_events)
            if rows == "training"
            else (self.test_events, self.test_non_events)
        )
        return (
            f"{events} clients with a {self.event} event and {non_events} without in the {rows} rows, minimum"
            f" {self.minimum} of each ({MIN_TRAINING_EVENTS_VAR})"
        )


def _clients(rows: pd.DataFrame, label: str, outcome: bool) -> int:
    return int(rows.loc[rows[label].astype(bool) == outcome, "client_id"].nunique())


def evidence(train: pd.DataFrame, test: pd.DataFrame, label: str, minimum: int) -> Evidence:
    """Count the distinct clients with and without the outcome on each side of the out-of-time split (a client seen
    on several as-of dates is one piece of evidence, not one per row)."""
    return Evidence(
        label,
        minimum,
        _clients(train, label, True),
        _clients(train, label, False),
        _clients(test, label, True),
        _clients(test, label, False),
    )


def require_training_events(model: str, found: Evidence) -> None:
    """Refuse to train on fewer clients with (or without) the outcome than the minimum, saying what to change."""
    if min(found.train_events, found.train_non_events) < found.minimum:
        raise TooFewEvents(
            f"{model} cannot be trained: {found.counts('training')}. Load more history (or, for a small bank, lower"
            f" {MIN_TRAINING_EVENTS_VAR}), then materialise the weekly training job again"
        )


def evidence_verdict(found: Evidence, auc: float) -> GateVerdict:
    """Passed when the out-of-time AUC is defined and rests on at least the minimum clients with and without the
    outcome: a version judged on less is never promoted."""
    enough = min(found.test_events, found.test_non_events) >= found.minimum
    defined = not math.isnan(auc)
    measured = f"out-of-time AUC {auc:.3f}" if defined else "out-of-time AUC undefined (NaN)"
    return GateVerdict(EVIDENCE_GATE, enough and defined, f"{found.counts('validation')}; {measured}")
