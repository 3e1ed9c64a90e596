"""What `riskhub demo` keeps off the terminal: Dagster's event-by-event log, MLflow's notices and progress bars.

The demo prints its own progress (stage, days, counts); the Dagster UI keeps every event. Failures still print: a
failed step's error (Dagster logs it at ERROR), a check failing at ERROR severity, an exception and its cause.
"""

import contextlib
import logging
import os
from collections.abc import Iterator

DAGSTER_LOG_LEVEL = "ERROR"
"""The level from which the demo's runs print their Dagster event log: failures and their causes only."""
LIBRARY_LOGGERS = ("mlflow", "alembic")
"""Libraries whose INFO and WARNING notices (store migrations, models registered, environments inferred) are for
their own users, not the demo's: the demo shows them from ERROR up."""
PROGRESS_BAR_VAR = "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"


@contextlib.contextmanager
def quiet_libraries() -> Iterator[None]:
    """While the demo runs: library loggers from ERROR up and MLflow's artifact progress bars off; both put back
    after."""
    import mlflow  # noqa: F401  (configures its logger when imported: import it before setting the level)

    loggers = [logging.getLogger(name) for name in LIBRARY_LOGGERS]
    levels = [logger.level for logger in loggers]
    progress_bar = os.environ.get(PROGRESS_BAR_VAR)
    os.environ[PROGRESS_BAR_VAR] = "false"
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)
        if progress_bar is None:
            os.environ.pop(PROGRESS_BAR_VAR)
        else:
            os.environ[PROGRESS_BAR_VAR] = progress_bar
