"""What `riskhub demo` keeps off the terminal: Dagster's event-by-event log, MLflow's notices and progress bars.

The demo prints its own progress (stage, days, counts); the Dagster UI keeps every event. Failures still print: a
failed step's error (Dagster logs it at ERROR), a check failing at ERROR severity, an exception and its cause.
"""

import contextlib
import os
import warnings
from collections.abc import Iterator

DAGSTER_LOG_LEVEL = "ERROR"
"""The level from which the demo's runs print their Dagster event log: failures and their causes only."""
PROGRESS_BAR_VAR = "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"


def say_development_key() -> None:
    """Say once, as the demo starts, that pseudonyms use the public development key (when they do): each run would
    warn again on the terminal (the runs' logs in the UI still say it)."""
    from riskhub_assets.orchestration.resources import DEV_KEY_WARNING, PSEUDONYMISATION_KEY_VAR, Pseudonymiser

    if Pseudonymiser(key=os.environ.get(PSEUDONYMISATION_KEY_VAR, "")).development_key:
        print(f"demo bank: {DEV_KEY_WARNING}")


@contextlib.contextmanager
def quiet_libraries() -> Iterator[None]:
    """While the demo runs: MLflow's notices (models registered, versions created, store migrations) and its
    artifact progress bars off, its hints for developers (schema inference) ignored, and the development-key warning
    said once by the demo itself (say_development_key) instead of by every run; all put back after. MLflow's failures
    still raise, and the run prints them."""
    from mlflow.utils import logging_utils

    from riskhub_assets.orchestration.resources import PSEUDONYMISATION_KEY_VAR

    stream, progress_bar = logging_utils.MLFLOW_LOGGING_STREAM, os.environ.get(PROGRESS_BAR_VAR)
    was_enabled, stream.enabled = stream.enabled, False
    os.environ[PROGRESS_BAR_VAR] = "false"
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=f"{PSEUDONYMISATION_KEY_VAR} is not set", category=UserWarning)
            warnings.filterwarnings("ignore", category=UserWarning, module="mlflow")
            yield
    finally:
        stream.enabled = was_enabled
        if progress_bar is None:
            os.environ.pop(PROGRESS_BAR_VAR)
        else:
            os.environ[PROGRESS_BAR_VAR] = progress_bar
