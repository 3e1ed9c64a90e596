"""The bank's sales side: branches, relationship managers with monthly objectives, and products beyond accounts.

Clients take up products by taste: each belongs to a hidden persona whose products they are far likelier to hold
and to adopt, so clients who hold the same products adopt the same next ones (what collaborative filtering finds).
A skilful manager's clients adopt more. This part of the bank draws from its own random stream, so adding it left
every other landing file as it was.
"""

import datetime

import numpy as np
import pandas as pd

from riskhub_assets.simulator.codes import PRODUCT_SYSTEM_PRODUCTS, REGIONS
from riskhub_assets.simulator.population import ACTIVE, CHURNED, Table

PERSONAS = {
    "starter": ("travel_insurance", "brokerage_account", "car_insurance"),
    "family": ("mortgage", "home_insurance", "life_insurance"),
    "saver": ("term_deposit", "pension_plan"),
    "investor": ("investment_fund", "premium_package"),
}
"""Hidden client tastes and the products each favours."""
TAKE_UP = (0.05, 0.001)
"""Monthly probability of taking up a product the persona favours, and any other product. At 0.3% for the others,
even ranking by the true rates beat the most popular products by only 1.5x: tastes too faint to personalise."""
HELD_AT_START = (0.45, 0.03)
"""Probability that an existing client already holds a favoured product, and any other product."""
SKILL_EFFECT = 0.35
"""Take-up is multiplied by exp(SKILL_EFFECT * skill) for a manager of skill ~ N(0, 1)."""
CLIENTS_PER_MANAGER = 250
MANAGERS_PER_AGENCY = 5
HOLDING_LIFETIME_DAYS = 4 * 365
BRANCH_NAMES = (
    "Harbour", "Old Town", "Riverside", "Market Square", "Northgate", "Station Road", "Castle Hill", "Westfield",
    "Eastbrook", "University", "Cathedral", "High Street", "Parkside", "Bridge End", "Southport", "Airport",
)  # fmt: skip

_PRODUCT = {p: i for i, p in enumerate(PRODUCT_SYSTEM_PRODUCTS)}
AFFINITY = np.array(
    [[TAKE_UP[0] if p in favoured else TAKE_UP[1] for p in PRODUCT_SYSTEM_PRODUCTS] for favoured in PERSONAS.values()]
)
"""Monthly take-up probability by persona (rows) and product-system product (columns)."""


def _persona(rng: np.random.Generator, age: np.ndarray, income: np.ndarray) -> np.ndarray:
    """Tastes follow life stage loosely: the young start out, families buy homes, the old save, the rich invest."""
    logits = np.column_stack(
        [(35 - age) / 8, 1.2 - np.abs(age - 42) / 10, (age - 55) / 8, np.log(income / 60_000) * 1.5]
    ) + rng.gumbel(size=(len(age), len(PERSONAS)))
    return logits.argmax(axis=1).astype(np.int8)


class Sales:
    """Branches, managers and the product-system holdings, advanced one day at a time beside the bank."""

    def __init__(self, seed: int, book_size: int, start: datetime.date) -> None:
        self.rng = np.random.default_rng([seed, 5])
        managers = max(4, round(book_size / CLIENTS_PER_MANAGER))
        agencies = max(2, round(managers / MANAGERS_PER_AGENCY))
        self.agency = np.arange(managers) % agencies
        self.skill = self.rng.normal(0, 1, managers)
        self.hired = np.datetime64(start, "D") - self.rng.integers(30, 15 * 365, managers).astype("timedelta64[D]")
        self.objective = np.zeros(managers)
        self.manager = np.zeros(0, dtype=np.int64)
        self.persona = np.zeros(0, dtype=np.int8)
        self.start = np.full((0, len(PRODUCT_SYSTEM_PRODUCTS)), np.datetime64("NaT", "D"))
        self.holding = np.full((0, len(PRODUCT_SYSTEM_PRODUCTS)), -1)
        self.next_holding = 1

    def _join(self, clients: Table, now: np.datetime64) -> np.ndarray:
        """Give clients booked since yesterday a manager and a taste; the first day's book already holds products."""
        new = np.arange(len(self.manager), len(clients))
        n, products = len(new), len(PRODUCT_SYSTEM_PRODUCTS)
        age = (now - clients["birth"][new]).astype(int) / 365.25
        self.manager = np.concatenate([self.manager, self.rng.integers(0, len(self.skill), n)])
        self.persona = np.concatenate([self.persona, _persona(self.rng, age, clients["income"][new])])
        self.start = np.vstack([self.start, np.full((n, products), np.datetime64("NaT", "D"))])
        self.holding = np.vstack([self.holding, np.full((n, products), -1)])
        existing = new[clients["onboard"][new] < now]
        favoured = AFFINITY[self.persona[existing]] == TAKE_UP[0]
        held = self.rng.random(favoured.shape) < np.where(favoured, *HELD_AT_START)
        tenure = (now - clients["onboard"][existing]).astype(int)
        since = now - (self.rng.random(held.shape) * tenure[:, None]).astype(int).astype("timedelta64[D]")
        self._take(existing, held, since)
        return new

    def _take(self, clients: np.ndarray, took: np.ndarray, when: np.ndarray) -> None:
        rows, products = np.nonzero(took)
        who = clients[rows]
        self.start[who, products] = when[rows, products] if when.ndim == 2 else when
        self.holding[who, products] = np.arange(self.next_holding, self.next_holding + len(rows))
        self.next_holding += len(rows)

    def take_up_probability(self, clients: np.ndarray) -> np.ndarray:
        """Each client's true probability of taking up each product in the next month (0 for products held)."""
        monthly = AFFINITY[self.persona[clients]] * np.exp(SKILL_EFFECT * self.skill[self.manager[clients]])[:, None]
        return np.where(self.holding[clients] >= 0, 0.0, np.minimum(monthly, 1.0))

    def _set_objectives(self, clients: Table) -> None:
        """On the first of the month each manager gets an objective: the portfolio's usual take-up, plus a stretch."""
        active = np.nonzero(clients["status"] == ACTIVE)[0]
        usual = np.where(self.holding[active] >= 0, 0.0, AFFINITY[self.persona[active]]).sum(axis=1)
        expected = np.bincount(self.manager[active], weights=usual, minlength=len(self.skill))
        self.objective = np.maximum(1, np.round(expected * self.rng.uniform(0.9, 1.3, len(self.skill))))

    def day(self, today: datetime.date, clients: Table) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """Advance one day: holdings started or ended today, the managers' snapshot, and the truth behind them."""
        now = np.datetime64(today, "D")
        first_day = len(self.manager) == 0
        new = self._join(clients, now)
        if first_day or today.day == 1:
            self._set_objectives(clients)
        status = clients["status"]
        active = np.nonzero(status == ACTIVE)[0]
        took = self.rng.random((len(active), len(PRODUCT_SYSTEM_PRODUCTS))) < self.take_up_probability(active) / 30
        self._take(active, took, now)
        held = self.holding >= 0
        lapsed = (self.rng.random(held.shape) < 1 / HOLDING_LIFETIME_DAYS) & (self.start != now)
        ends = held & ((status == CHURNED)[:, None] | lapsed)
        ended_rows, ended_products = np.nonzero(ends)
        reported = self._holding_rows(ended_rows, ended_products, now)
        self.holding[ends] = -1
        if first_day:
            started = np.nonzero(held & ~ends)
        else:
            started = np.nonzero((self.start == now) & (self.holding >= 0))
        reported = pd.concat([reported, self._holding_rows(*started, None)], ignore_index=True)
        truth = pd.DataFrame(
            {"client_id": new + 1, "persona": pd.Categorical.from_codes(self.persona[new], tuple(PERSONAS))}
        )
        return reported.sort_values("holding_id", ignore_index=True), self._manager_rows(), truth

    def _holding_rows(self, clients: np.ndarray, products: np.ndarray, ended: np.datetime64 | None) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "holding_id": self.holding[clients, products],
                "client_id": clients + 1,
                "product_code": pd.Categorical.from_codes(products, PRODUCT_SYSTEM_PRODUCTS),
                "start_date": self.start[clients, products],
                "end_date": np.full(len(clients), np.datetime64("NaT", "D") if ended is None else ended),
            }
        )

    def _manager_rows(self) -> pd.DataFrame:
        managers = np.arange(len(self.skill))
        return pd.DataFrame(
            {
                "manager_id": managers + 1,
                "agency_id": self.agency + 1,
                "agency_name": [f"{BRANCH_NAMES[a % len(BRANCH_NAMES)]} branch" for a in self.agency],
                "region": [REGIONS[a % len(REGIONS)] for a in self.agency],
                "hire_date": self.hired,
                "monthly_sales_objective": self.objective,
            }
        )

    def manager_truth(self) -> pd.DataFrame:
        """Each manager's hidden sales skill (the truth behind their performance)."""
        return pd.DataFrame({"manager_id": np.arange(1, len(self.skill) + 1), "sales_skill": np.round(self.skill, 4)})
