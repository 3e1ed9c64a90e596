"""What one API process serves: the scoring models, the insight models and the published BI database."""

import gc
import logging
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import fastapi

from riskhub_assets.api import insights, serving
from riskhub_assets.api.batcher import MicroBatcher
from riskhub_assets.api.inputs import Inputs
from riskhub_assets.api.middleware import Metrics
from riskhub_assets.lib import publish, settings, tracking

log = logging.getLogger("riskhub.api")


@dataclass
class Served:
    """The models the API answers with, loaded once at start, and the metrics of their use."""

    models: dict[str, serving.ServedModel]
    recommender: insights.Recommender | None
    performance: dict[str, serving.ServedModel]
    bi_path: Path
    refused: dict[str, str] = field(default_factory=dict)  # models not loaded, by registered name: why
    metrics: Metrics = field(init=False)
    batchers: dict[str, MicroBatcher] = field(init=False)

    def __post_init__(self) -> None:
        self.metrics = Metrics(self.models)
        self.batchers = {
            k: MicroBatcher(lambda rows, m=m: serving.score(m, Inputs.of_rows(rows))) for k, m in self.models.items()
        }

    @classmethod
    def load(
        cls,
        models: dict[str, serving.ServedModel] | None = None,
        recommender: insights.Recommender | None = None,
        performance: dict[str, serving.ServedModel] | None = None,
    ) -> "Served":
        """`models` (by default the registry's champions, with the insight models) and the BI database's place."""
        bi_path, refused = settings.bi_dir() / publish.BI_DATABASE, {}
        if models is None:
            tracking.use_store(settings.mlflow_tracking_uri())
            recommender = insights.load_recommender(bi_path, refused)
            performance = insights.load_performance_models(refused)
            models = serving.load_champions(refused)
        return cls(models, recommender, performance or {}, bi_path, refused)

    def model(self, kind: str) -> serving.ServedModel:
        """The served model of this kind; a 503 when it has no champion or its champion was refused."""
        if kind not in self.models:
            raise fastapi.HTTPException(503, self.unavailable(kind))
        return self.models[kind]

    def unavailable(self, kind: str) -> str:
        """Why a model (by kind, or by registered name) cannot answer: no champion, or its files were refused."""
        name = serving.MODEL_NAMES.get(kind, kind)
        return self.refused.get(name, f"no champion {name} in the registry: run the weekly training")

    @asynccontextmanager
    async def lifespan(self, app: fastapi.FastAPI):
        """Log what is served, then keep the loaded libraries and models out of the garbage collector's passes."""
        paths = {k: "pandas" if m.compiled is None else "compiled" for k, m in self.models.items()}
        versions = {k: m.version for k, m in self.models.items()}
        log.info("serving", extra={"fields": {"models": versions, "paths": paths}})
        # The libraries and models loaded so far (some 350,000 objects) live as long as the process: keep them
        # out of the garbage collector's full passes, which a 10,000-row batch triggers and which then cost
        # more than scoring it.
        gc.collect()
        gc.freeze()
        yield
