"""The simulated bank's daily FX fixings into its reporting currency (EUR): a slow, deterministic drift."""

import datetime
import math

import pandas as pd

from riskhub_assets.simulator.codes import CURRENCIES

REPORTING_CURRENCY = CURRENCIES[0]
BASE_RATES = {"USD": 0.92, "GBP": 1.17, "CHF": 1.05}
"""Euros one unit of each of the bank's other currencies buys, around which the fixings drift by up to 3%."""


def fx_rates(day: datetime.date) -> pd.DataFrame:
    """The day's fixings: every currency the bank holds but the reporting one, to 8 decimal places."""
    drift = [1 + 0.03 * math.sin(day.toordinal() / 45 + i) for i in range(len(BASE_RATES))]
    rates = [round(base * d, 8) for base, d in zip(BASE_RATES.values(), drift)]
    return pd.DataFrame({"currency": list(BASE_RATES), "rate": rates})
