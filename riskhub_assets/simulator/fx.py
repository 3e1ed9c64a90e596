"""The simulated bank's daily FX fixings into its reporting currency (EUR): a slow, deterministic drift."""

import datetime
import math

import pandas as pd

from riskhub_assets.simulator.codes import CURRENCIES

REPORTING_CURRENCY = CURRENCIES[0]
BASE_RATES = {"USD": 0.92, "GBP": 1.17, "CHF": 1.05, "CZK": 0.04}
"""Euros one unit of each currency buys, around which the fixings drift by up to 3%: the bank's other currencies,
then CZK, the local currency of the foreign export style (fixed only when that style is written)."""


def fx_rate(currency: str, day: datetime.date) -> float:
    """Euros one unit of `currency` buys on `day`, to 8 decimal places."""
    drift = 1 + 0.03 * math.sin(day.toordinal() / 45 + list(BASE_RATES).index(currency))
    return round(BASE_RATES[currency] * drift, 8)


def fx_rates(day: datetime.date, local_currency: str | None = None) -> pd.DataFrame:
    """The day's fixings: every currency the bank holds but the reporting one, and its local currency if not EUR."""
    currencies = [*CURRENCIES[1:], *([local_currency] if local_currency else [])]
    return pd.DataFrame({"currency": currencies, "rate": [fx_rate(c, day) for c in currencies]})
