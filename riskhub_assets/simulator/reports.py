"""What a simulated day reports: the landing clients and accounts rows, and the ground truth behind them."""

import datetime
from dataclasses import dataclass

import numpy as np
import pandas as pd

from riskhub_assets.lib.contract import FACILITY_STATUSES
from riskhub_assets.simulator import dynamics
from riskhub_assets.simulator.codes import ACCOUNT_PRODUCTS, ACCOUNT_TYPES, CURRENCIES, EMPLOYMENT_STATUSES, SEGMENTS
from riskhub_assets.simulator.population import ACTIVE, CARD, DEFAULTED, LOAN, Table

STATUSES = ("active", "defaulted", "churned")
"""Client status names, by status code."""

CLIENT_COLUMNS = {
    "full_name": "full_name",
    "birth_date": "birth",
    "address": "address",
    "country": "country",
    "email": "email",
    "phone": "phone",
    "national_id": "national_id",
    "annual_income": "declared",
    "onboarding_date": "onboard",
    "kyc_review_date": "kyc",
    "pep_flag": "pep",
    "sanctions_flag": "sanctions",
}
"""Landing clients.csv columns taken as they are from the client book (declared income, not the true one)."""


@dataclass
class Day:
    """What one simulated day produced: the landing frames and the ground truth."""

    clients: pd.DataFrame
    accounts: pd.DataFrame
    credit_facilities: pd.DataFrame
    transactions: pd.DataFrame
    events: pd.DataFrame
    relationship_managers: pd.DataFrame
    product_holdings: pd.DataFrame
    truth: pd.DataFrame
    fraud: pd.DataFrame
    personas: pd.DataFrame
    managers_truth: pd.DataFrame


def client_rows(clients: Table, managers: np.ndarray, rows: np.ndarray) -> pd.DataFrame:
    """The landing clients rows of these clients."""
    return pd.DataFrame(
        {
            "client_id": rows + 1,
            **{name: clients[column][rows] for name, column in CLIENT_COLUMNS.items()},
            "employment_status": pd.Categorical.from_codes(clients["employment"][rows], EMPLOYMENT_STATUSES),
            "segment": pd.Categorical.from_codes(clients["segment"][rows], SEGMENTS),
            "manager_id": managers[rows] + 1,
        }
    )


def account_rows(accounts: Table, now: np.datetime64) -> pd.DataFrame:
    """End-of-day snapshot of every account open at any time today."""
    rows = np.nonzero((accounts["open"] <= now) & (np.isnat(accounts["close"]) | (accounts["close"] >= now)))[0]
    return pd.DataFrame(
        {
            "account_id": rows + 1,
            "client_id": accounts["owner"][rows] + 1,
            "account_type": pd.Categorical.from_codes(accounts["kind"][rows], ACCOUNT_TYPES),
            "currency": pd.Categorical.from_codes(accounts["currency"][rows], CURRENCIES),
            "open_date": accounts["open"][rows],
            "close_date": accounts["close"][rows],
            "limit_or_principal": accounts["limit"][rows],
            "balance": accounts["balance"][rows],
        }
    )


def account_changes(snapshot: pd.DataFrame, now: np.datetime64, first_day: bool) -> pd.DataFrame:
    """The snapshot's accounts opened or closed today (all of them on the first day), as change records without balances.

    The simulated bank changes an account only when it opens or closes it; its balances go to balances.csv.
    """
    changed = first_day | (snapshot["open_date"] == now) | (snapshot["close_date"] == now)
    return snapshot[changed].assign(balance=np.nan)


PERFORMING, ARREARS, DEFAULT, REPAID = (
    tuple(FACILITY_STATUSES).index(s) for s in ("performing", "arrears", "default", "repaid")
)
"""Positions of the facility statuses the simulated bank reports (it writes nothing off)."""
FACILITY_PRODUCT = np.array([ACCOUNT_PRODUCTS[t] for t in ACCOUNT_TYPES])
"""The catalogue product of each account kind."""


def facility_rows(accounts: Table, client_status: np.ndarray, now: np.datetime64) -> pd.DataFrame:
    """End-of-day snapshot of every card and loan open at any time today, with its status and days past due.

    A defaulted client's facilities are all in default (obligor-level default), from the day of the default event.
    """
    a = accounts
    open_today = (a["open"] <= now) & (np.isnat(a["close"]) | (a["close"] >= now))
    rows = np.nonzero(open_today & np.isin(a["kind"], (CARD, LOAN)))[0]
    since, loan = a["arrears_since"][rows], a["kind"][rows] == LOAN
    status = np.select(
        [client_status[a["owner"][rows]] == DEFAULTED, ~np.isnat(a["close"][rows]), ~np.isnat(since)],
        [DEFAULT, REPAID, ARREARS],
        PERFORMING,
    )
    return pd.DataFrame(
        {
            "facility_id": rows + 1,
            "client_id": a["owner"][rows] + 1,
            "account_id": rows + 1,
            "product_code": FACILITY_PRODUCT[a["kind"][rows]],
            "currency": pd.Categorical.from_codes(a["currency"][rows], CURRENCIES),
            "principal": a["limit"][rows],
            "start_date": a["open"][rows],
            "maturity_date": a["maturity"][rows],
            "instalment": np.where(loan, a["instalment"][rows], np.nan),
            "interest_rate": np.where(loan, np.round(a["rate"][rows] * 1200, 2), np.nan),
            "status": pd.Categorical.from_codes(status, tuple(FACILITY_STATUSES)),
            "days_past_due": np.where(np.isnat(since), 0, (now - since).astype(int)),
            "default_flag": (status == DEFAULT).astype(np.int8),
            "unlikely_to_pay": np.full(len(rows), np.nan),
            "status_since": np.full(len(rows), np.datetime64("NaT", "D")),
        }
    )


def truth(clients: Table, accounts: Table, today: datetime.date) -> pd.DataFrame:
    """Every client's status, true 90-day default and churn probabilities, and latent traits at end of day."""
    c, a = clients, accounts
    active = c["status"] == ACTIVE
    credit = np.isnat(a["close"]) & np.isin(a["kind"], (CARD, LOAN)) & active[a["owner"]]
    pd_90 = dynamics.default_probability(
        today,
        a["owner"][credit],
        a["due_day"][credit],
        a["run"][credit],
        c["risk"],
        c["stress"],
        c["income"],
        len(c),
    )
    churn_90 = dynamics.churn_probability(c["engagement"], c["drift"])
    return pd.DataFrame(
        {
            "client_id": np.arange(1, len(c) + 1),
            "status": pd.Categorical.from_codes(c["status"], STATUSES),
            "default_probability_90d": np.where(active, np.round(pd_90, 6), np.nan),
            "churn_probability_90d": np.where(active, np.round(churn_90, 6), np.nan),
            "risk_propensity": np.round(c["risk"], 4),
            "engagement": np.round(c["engagement"], 4),
            "engagement_drift": np.round(c["drift"], 4),
            "financial_stress": np.round(c["stress"], 4),
            "true_income": c["income"],
        }
    )
