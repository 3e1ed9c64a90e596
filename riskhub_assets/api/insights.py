"""The customer-insight models and figures: next-best products, manager and branch performance, a day's summary.

Recommendations read each client's holdings and profile from the published BI database (reloaded when a new copy
is published) and rank products with the registry's champion recommender; performance predictions come from the
champion regressors, with request schemas from their signatures like the scoring endpoints.
"""

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import fastapi
import pandas as pd

from riskhub_assets.api import request_schemas, serving
from riskhub_assets.lib import tracking
from riskhub_assets.lib.frames import indicator_matrix
from riskhub_assets.lib.performance import LEVELS

RECOMMENDER = "riskhub_product_recommender"
PERFORMANCE = {level: f"riskhub_{level}_performance_model" for level in LEVELS}


@dataclass
class Recommender:
    """The champion recommender and every published client's inputs (holdings, then profile)."""

    model: object
    version: str
    bi_path: Path
    inputs: pd.DataFrame = field(default_factory=pd.DataFrame)
    names: dict[str, str] = field(default_factory=dict)
    loaded_mtime: float | None = None

    def refresh(self) -> None:
        """Reload the clients' inputs when a new BI database has been published since the last load."""
        mtime = self.bi_path.stat().st_mtime
        if mtime == self.loaded_mtime:
            return
        with duckdb.connect(str(self.bi_path), read_only=True) as con:
            holdings = con.execute("SELECT client_id, product_code FROM facts.product_holdings WHERE is_held").df()
            profile = con.execute(
                "SELECT client_id, 'age_' || age_band AS age, 'segment_' || segment AS segment,"
                " 'employment_' || employment_status AS employment FROM dims.client"
            ).df()
            self.names = dict(con.execute("SELECT product_code, product_name FROM dims.product").fetchall())
        long = pd.concat(
            [
                holdings.rename(columns={"product_code": "column"}),
                profile.melt(id_vars="client_id", value_name="column"),
            ]
        ).dropna(subset=["column"])
        matrix = indicator_matrix(long, "client_id", "column")
        columns = [*self.model.products_, *self.model.context_]
        self.inputs = matrix.reindex(index=profile["client_id"], columns=columns, fill_value=0).astype(float)
        self.loaded_mtime = mtime

    def recommend(self, client_id: str, n: int) -> list[dict]:
        self.refresh()
        if client_id not in self.inputs.index:
            raise fastapi.HTTPException(404, f"unknown client {client_id!r} in the published database")
        lists = self.model.recommend(self.inputs.loc[[client_id]], n)
        return [
            {
                "product_code": row.product,
                "product_name": self.names.get(row.product, row.product),
                "score": round(float(row.score), 6),
                "rank": int(row.rank),
                "reason": row.reason,
            }
            for row in lists.itertuples()
        ]


def load_performance_models(refused: dict[str, str] | None = None) -> dict[str, serving.ServedModel]:
    """The manager and branch performance champions, with request schemas from their signatures; one whose files are
    refused is left out (why, in `refused`)."""
    tracking.use_experiment("riskhub")
    served = {}
    for level, name in PERFORMANCE.items():
        champion = serving.load_champion(name, refused)
        if champion is not None:
            model, version = champion
            columns = request_schemas.signature_columns(name, version)
            served[level] = serving.ServedModel(level, name, version, model, columns)
    return served


def load_recommender(bi_path: Path, refused: dict[str, str] | None = None) -> Recommender | None:
    """The champion recommender, or None when there is none yet or its files are refused (why, in `refused`)."""
    tracking.use_experiment("riskhub")
    champion = serving.load_champion(RECOMMENDER, refused)
    return None if champion is None else Recommender(*champion, bi_path)


def summary(bi_path: Path) -> dict:
    """The latest published day in numbers: portfolio, recommendations, churn actions, managers and branches."""
    with duckdb.connect(str(bi_path), read_only=True) as con:
        day = con.execute("SELECT max(as_of_date) FROM scores.product_recommendations").fetchone()[0]

        def rows(sql: str) -> list[dict]:
            return con.execute(sql, [day]).df().to_dict("records")

        answer = {
            "as_of_date": str(day),
            "first_offers": rows(
                "SELECT product_code, count(*) AS clients FROM scores.product_recommendations"
                " WHERE as_of_date = ? AND rank = 1 GROUP BY ALL ORDER BY clients DESC"
            ),
            "churn_actions": rows(
                "SELECT action, count(*) AS clients, round(avg(churn_probability), 4) AS mean_churn_probability"
                " FROM scores.churn_actions WHERE as_of_date = ? GROUP BY ALL ORDER BY clients DESC"
            ),
        }
        for level, key in LEVELS.items():
            answer[f"{level}_performance"] = rows(
                f"SELECT {key}, month_start::VARCHAR AS month_start, monthly_sales_objective, predicted_score,"
                f" score_last_month, model_version FROM scores.{level}_performance WHERE as_of_date = ?"
                " ORDER BY predicted_score DESC"
            )
    return answer
