"""A foreign export's local currency: what the simulated bank holds in euros, a foreign bank books in its own currency.

Amounts stay euro-denominated truth inside the simulation; only the export converts them, at the day's fixing
(simulator/fx.py), rounded to the cent as a bank books them. Terms fixed at signing (an account's limit or principal,
a facility's principal and instalment) are converted once, at the fixing of the day the export first reports them,
and then stay the same in the local currency. Clients' annual_income stays in EUR: the contract defines it in EUR
(riskhub_assets/lib/contract.py) and the pipeline does not convert it.
"""

import datetime

import numpy as np
import pandas as pd

from riskhub_assets.simulator.fx import REPORTING_CURRENCY, fx_rate

DAILY_AMOUNTS = {
    "transactions": ("amount",),
    "accounts": ("balance",),
    "balances": ("balance",),
    "events": ("amount",),
}
"""Amounts of the day, per landing file, converted at the day's fixing."""
TERMS = {
    "accounts": ("open_date", ("limit_or_principal",)),
    "credit_facilities": ("start_date", ("principal", "instalment")),
}
"""Terms fixed at signing, per landing file: the signing date column and the amounts converted at its fixing."""


def _rates(days: pd.Series, currency: str) -> np.ndarray:
    """The fixing of `currency` on each day."""
    return np.array([fx_rate(currency, pd.Timestamp(d).date()) for d in days], dtype=float)


def _localised(
    frame: pd.DataFrame, name: str, booked: pd.Series, currency: str, day: datetime.date, first_day: datetime.date
) -> pd.DataFrame:
    """The frame with the amounts of its euro rows (`booked`) in `currency`, and its currency column saying so."""
    out = frame.copy()
    for column in DAILY_AMOUNTS.get(name, ()):
        out[column] = np.where(booked, np.round(out[column].round(2) / fx_rate(currency, day), 2), out[column])
    if name in TERMS:
        signed, columns = TERMS[name]
        reported_from = np.maximum(pd.to_datetime(out[signed]), pd.Timestamp(first_day))
        for column in columns:
            out[column] = np.where(
                booked, np.round(out[column].round(2) / _rates(reported_from, currency), 2), out[column]
            )
    if "currency" in out:
        out["currency"] = np.where(booked, currency, out["currency"].astype(str))
    return out


def in_local_currency(
    frames: dict[str, pd.DataFrame],
    account_currency: pd.Series,
    currency: str,
    day: datetime.date,
    first_day: datetime.date,
) -> dict[str, pd.DataFrame]:
    """The day's frames as the bank sends them when it books its euro accounts in `currency`; `account_currency`
    gives each account_id's currency for files without a currency column (balances, events)."""
    localised = dict(frames)
    for name in set(DAILY_AMOUNTS) | set(TERMS):
        if name in frames:
            frame = frames[name]
            row_currency = frame["currency"] if "currency" in frame else frame["account_id"].map(account_currency)
            amounts = frame[[*DAILY_AMOUNTS.get(name, ()), *TERMS.get(name, ("", ()))[1]]]
            unknown = row_currency.isna() & amounts.notna().any(axis=1)
            if unknown.any():
                raise ValueError(f"{name}: amounts on accounts outside the day's accounts, in no known currency")
            localised[name] = _localised(
                frame, name, row_currency.astype(str) == REPORTING_CURRENCY, currency, day, first_day
            )
    return localised
