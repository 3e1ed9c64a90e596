"""The client book and its accounts: who the clients are, what they hold, and their latent traits."""

import numpy as np

from riskhub_assets.simulator import identity
from riskhub_assets.simulator.codes import EMPLOYMENT_STATUSES
from riskhub_assets.simulator.dynamics import miss_probability

CURRENT, SAVINGS, CARD, LOAN = range(4)
"""Account kinds, as positions in the default ACCOUNT_TYPES."""

ACTIVE, DEFAULTED, CHURNED = range(3)
"""Client statuses: a live relationship, in default (90+ days past due), or gone."""

EMPLOYED, SELF_EMPLOYED, UNEMPLOYED, RETIRED, STUDENT = (
    EMPLOYMENT_STATUSES.index(s) for s in ("employed", "self_employed", "unemployed", "retired", "student")
)
LOCAL_CURRENCY = {"GB": 2, "CH": 3, "US": 1}
"""Clients living in these countries keep their current account in the local currency (CURRENCIES positions)."""


class Table:
    """Equal-length column arrays, one row per client or account, that grow as the bank books new ones."""

    def __init__(self) -> None:
        self.columns: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def __setitem__(self, name: str, values: np.ndarray) -> None:
        self.columns[name] = values

    def append(self, rows: dict[str, np.ndarray]) -> np.ndarray:
        """Add rows; returns their positions."""
        start = len(self)
        self.columns = {k: np.concatenate([self.columns[k], rows[k]]) if self.columns else rows[k] for k in rows}
        return np.arange(start, len(self))


def _days(values: np.ndarray) -> np.ndarray:
    return np.asarray(values).astype("int64").astype("timedelta64[D]")


def new_clients(
    rng: np.random.Generator, n: int, today: np.datetime64, first_number: int, existing: bool
) -> dict[str, np.ndarray]:
    """Clients joining the book: the existing book on the first day (existing=True) or today's onboardings."""
    age = np.clip(rng.normal(46, 16, n) if existing else rng.normal(34, 12, n), 18, 92)
    birth = today - _days(age * 365.25)
    risk = rng.normal(0, 1, n) - 0.15 * (age - 45) / 16
    employment = np.where(rng.random(n) < 0.12, SELF_EMPLOYED, EMPLOYED)
    employment[rng.random(n) < 1 / (1 + np.exp(2.8 - 0.8 * risk))] = UNEMPLOYED
    employment[(age < 26) & (rng.random(n) < 0.5)] = STUDENT
    employment[(age >= 67) | ((age >= 62) & (rng.random(n) < 0.6))] = RETIRED
    factor = np.array([1.0, 1.2, 0.45, 0.7, 0.25])[employment]
    income = np.round(np.exp(np.log(34_000) + 0.5 * rng.normal(0, 1, n) - 0.2 * risk) * factor, -2) + 1200
    declared = np.round(income * rng.lognormal(0, 0.08, n), -2)
    declared[rng.random(n) < 0.04] = np.nan
    if existing:
        onboard = today - _days(1 + np.minimum(rng.exponential(7 * 365, n), (age - 18) * 365))
        engagement = rng.normal(0.6, 0.8, n)
        drift = np.where(rng.random(n) < 0.09, -rng.uniform(0.005, 0.03, n), 0.0)
        engagement += drift * rng.uniform(0, 120, n)
        stress = np.where(rng.random(n) < 0.15, rng.exponential(1.0, n), 0.0)
    else:
        onboard = np.full(n, today)
        engagement, drift, stress = rng.normal(0.9, 0.6, n), np.zeros(n), np.zeros(n)
    pep = (rng.random(n) < 0.004).astype(np.int8)
    cycle = np.where((pep == 1) | (risk > 1.8), 365, 3 * 365)
    kyc = np.maximum(onboard, today - _days(rng.integers(1, cycle))) if existing else onboard.copy()
    next_kyc = kyc + _days(cycle)
    if existing:
        kyc[rng.random(n) < 0.05] = np.datetime64("NaT")  # review date lost in an old system migration
    return {
        "status": np.full(n, ACTIVE, dtype=np.int8),
        "birth": birth,
        "onboard": onboard,
        "kyc": kyc,
        "next_kyc": next_kyc,
        "cycle": cycle,
        **identity.people(rng, birth, np.arange(first_number, first_number + n)),
        "income": income,
        "declared": declared,
        "employment": employment.astype(np.int8),
        "segment": np.searchsorted([80_000, 250_000], income, side="right").astype(np.int8),
        "pep": pep,
        "sanctions": (rng.random(n) < 0.0005).astype(np.int8),
        "risk": risk,
        "engagement": engagement,
        "drift": drift,
        "stress": stress,
        "digital": 1 / (1 + np.exp(-((40 - age) / 12 + rng.normal(0, 0.7, n)))),
        "payday": rng.integers(1, 29, n).astype(np.int8),
    }


def new_accounts(
    rng: np.random.Generator, clients: Table, who: np.ndarray, kinds: np.ndarray, today: np.datetime64, existing: bool
) -> dict[str, np.ndarray]:
    """Accounts of the given kinds opened for the given clients: in the past (existing book) or today."""
    n = len(who)
    income, risk = clients["income"][who], clients["risk"][who]
    credit = (kinds == CARD) | (kinds == LOAN)
    currency = np.array([LOCAL_CURRENCY.get(c, 0) for c in clients["country"][who]], dtype=np.int8)
    currency[kinds == SAVINGS] = np.where(rng.random(n) < 0.08, rng.integers(1, 4, n), currency)[kinds == SAVINGS]
    currency[credit] = 0
    mortgage = (kinds == LOAN) & (rng.random(n) < 0.3)
    term = np.where(mortgage, 240, rng.choice([24, 36, 48, 60, 84], n))
    principal = np.round(income * np.where(mortgage, rng.uniform(2, 4, n), rng.uniform(0.1, 0.6, n)), -2)
    # Priced on the bank's application score: a noisy view of the client's risk (correlation 0.8), not the risk itself.
    rate = np.clip(0.035 + 0.012 * (risk + rng.normal(0, 0.75, n)), 0.015, 0.12) / 12
    instalment = np.round(principal * rate / (1 - (1 + rate) ** -term), 2)
    limit = np.clip(np.round(income / 12 * rng.uniform(0.3, 1.0, n), -2), 300, 20_000)
    if existing:
        onboard = clients["onboard"][who]
        span = (today - onboard).astype(int)
        span = np.where(kinds == LOAN, np.minimum(span, term * 30 - 1), span)
        opened = np.where(kinds == CURRENT, onboard, today - _days(1 + rng.random(n) * (span - 1)))
        months = (today - opened).astype(int) // 30
        outstanding = principal * (1 + rate) ** months - instalment * ((1 + rate) ** months - 1) / rate
        stress = clients["stress"][who]
        balance = np.select(
            [kinds == CURRENT, kinds == SAVINGS, kinds == CARD],
            [
                income * 0.75 / 12 * rng.lognormal(0.2, 0.8, n) - stress * income / 24,
                income * rng.lognormal(-1.5, 1.0, n),
                -limit * rng.uniform(0, 0.4, n) * (1 + stress),
            ],
            -outstanding,
        )
        m = miss_probability(risk, stress, income)
        run = np.where(rng.random(n) < m, np.where(rng.random(n) < m, 2, 1), 0) * credit
    else:
        opened = np.full(n, today)
        balance = np.where(kinds == CURRENT, rng.uniform(0, 500, n), np.where(kinds == LOAN, -principal, 0.0))
        run = np.zeros(n)
    accounts = {
        "owner": who,
        "kind": kinds.astype(np.int8),
        "currency": currency,
        "open": opened.astype("datetime64[D]"),
        "close": np.full(n, np.datetime64("NaT", "D")),
        "limit": np.where(kinds == CARD, limit, np.where(kinds == LOAN, principal, np.nan)),
        "balance": np.round(balance, 2),
        "due_day": np.where(credit, rng.integers(1, 29, n), 0).astype(np.int8),
        "run": run.astype(np.int8),
        "rate": np.where(kinds == LOAN, rate, 0.0),
        "instalment": np.where(kinds == LOAN, instalment, 0.0),
        "maturity": np.where(kinds == LOAN, opened + _days(np.round(term * 30.44)), np.datetime64("NaT", "D")),
    }
    accounts["arrears_since"] = _arrears_since(today, accounts["due_day"], accounts["run"])
    return accounts


def _arrears_since(today: np.datetime64, due_day: np.ndarray, run: np.ndarray) -> np.ndarray:
    """Due date of the oldest payment missed in a row (NaT when none): `run` monthly due dates back from the last."""
    since_last_due = (today.astype(object).day - due_day) % 30
    since = today - _days(since_last_due + 30 * (run.astype(int) - 1))
    return np.where(run > 0, since, np.datetime64("NaT", "D")).astype("datetime64[D]")


def starter_products(rng: np.random.Generator, clients: Table, who: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The product set each new client takes: nearly always a current account, often a card, some savings and loans."""
    digital, income = clients["digital"][who], clients["income"][who]
    n = len(who)
    has = np.column_stack(
        [
            rng.random(n) < 0.97,
            rng.random(n) < 0.25 + 0.2 * (income > 50_000),
            rng.random(n) < 0.45 + 0.25 * digital,
            rng.random(n) < 0.28,
        ]
    )
    has[~has[:, [CURRENT, SAVINGS, CARD]].any(axis=1), CURRENT] = True
    owners, kinds = np.nonzero(has)
    return who[owners], kinds
