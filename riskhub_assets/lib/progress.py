"""A one-line progress bar for long commands (the history load): the stage, how far it is, the item at hand."""

import os
import sys
import time
from typing import TextIO

WIDTH = 24
"""Characters of the bar itself."""
EVERY_SECONDS = 0.2
"""Least time between two redraws of the same stage: a terminal is slow to write to."""


class ProgressBar:
    """Drawn on stderr only when it is a terminal a person watches: never in tests, CI (CI set) or a log file."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.shown = self.stream.isatty() and not os.environ.get("CI")
        self._stage, self._drawn_at, self._width = None, 0.0, 0

    def update(self, stage: str, done: int, total: int, item: str = "") -> None:
        """Redraw the line: `stage [#####.....] done/total item`; a new stage starts a new line."""
        if not self.shown:
            return
        now = time.monotonic()
        if stage == self._stage and done < total and now - self._drawn_at < EVERY_SECONDS:
            return
        if self._stage is not None and stage != self._stage:
            self.stream.write("\n")
            self._width = 0
        self._stage, self._drawn_at = stage, now
        self.stream.write("\r" + render(stage, done, total, item).ljust(self._width))
        self._width = len(render(stage, done, total, item))
        self.stream.flush()

    def close(self) -> None:
        """End the bar's line so what follows starts on its own."""
        if self.shown and self._stage is not None:
            self.stream.write("\n")
            self.stream.flush()
        self._stage = None


def render(stage: str, done: int, total: int, item: str = "") -> str:
    """One line of the bar, e.g. `recording in Dagster [######......] 60/236 2025-03-04: 2,040 asset days`."""
    filled = WIDTH * done // total if total else WIDTH
    return f"{stage} [{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{total} {item}".rstrip()
