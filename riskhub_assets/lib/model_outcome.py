"""What a training run hands back: the new version, its alias, what to report of it and its verdict on each gate."""

from dataclasses import dataclass, field


class NotEnoughHistory(ValueError):
    """The warehouse holds too little history to learn from; the message says what to load first."""


@dataclass(frozen=True)
class GateVerdict:
    """One gate a new model version is judged by: whether it passed, and the evidence a validator reads."""

    name: str
    passed: bool
    description: str


@dataclass(frozen=True)
class TrainingOutcome:
    """A newly registered model version: champion or challenger, the facts to report of it, and its gate verdicts."""

    version: str
    alias: str
    metadata: dict = field(default_factory=dict)
    gates: tuple[GateVerdict, ...] = ()
