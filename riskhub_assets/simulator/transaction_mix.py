"""How clients transact: the channel, merchant and country codes, the mixes drawn over them, ticket sizes and hours."""

import numpy as np

from riskhub_assets.lib.contract import DIRECTIONS
from riskhub_assets.simulator.codes import CHANNELS, MERCHANT_CATEGORIES
from riskhub_assets.simulator.identity import COUNTRIES as RESIDENCES

CHANNEL_NAMES = CHANNELS
MCC_CODES = MERCHANT_CATEGORIES
COUNTRIES = RESIDENCES + (
    "IE",
    "PT",
    "AT",
    "PL",
    "SE",
    "MA",
    "TN",
    "TR",
    "CN",
    "JP",
    "AE",
    "TH",
    "NG",
    "RU",
    "BR",
    "RO",
    "UA",
    "IN",
    "HK",
)
"""Counterparty countries: clients' residences first, then the rest of the world."""
FX = np.array([1.0, 0.92, 1.17, 1.05])
"""Value in EUR of one unit of each contract currency."""
DEBIT, CREDIT = DIRECTIONS.index("debit"), DIRECTIONS.index("credit")
POS, ECOMMERCE, ATM, MOBILE, DIRECT_DEBIT, TRANSFER = (
    CHANNEL_NAMES.index(c) for c in ("pos", "ecommerce", "atm", "mobile", "direct_debit", "transfer")
)


def _table(names: tuple[str, ...], values: dict[str, float], default: float) -> np.ndarray:
    """A value per code, in code order, `default` for the codes not named."""
    return np.array([values.get(n, default) for n in names])


def _weights(names: tuple[str, ...], weights: dict[str, float]) -> np.ndarray:
    """Probabilities per code, in code order, from relative weights (codes not named are never drawn)."""
    w = _table(names, weights, 0.0)
    return w / w.sum()


DIGITAL_MIX = _weights(
    CHANNEL_NAMES,
    {
        "pos": 40,
        "ecommerce": 25,
        "atm": 4,
        "branch": 0.5,
        "mobile": 15,
        "internet": 3,
        "direct_debit": 6.5,
        "transfer": 6,
    },
)
TRADITIONAL_MIX = _weights(
    CHANNEL_NAMES,
    {"pos": 45, "ecommerce": 6, "atm": 12, "branch": 6, "mobile": 3, "internet": 8, "direct_debit": 10, "transfer": 10},
)
POS_MIX = _weights(
    MCC_CODES,
    {
        "5411": 30,
        "5812": 15,
        "5541": 8,
        "4111": 6,
        "5912": 6,
        "5311": 5,
        "5691": 5,
        "5661": 2,
        "5999": 8,
        "5732": 1.5,
        "5944": 0.4,
        "7011": 2,
        "4900": 0.5,
    },
)
ECOMMERCE_MIX = _weights(
    MCC_CODES,
    {
        "5999": 22,
        "5691": 12,
        "5732": 7,
        "4511": 6,
        "7011": 7,
        "4814": 8,
        "5967": 5,
        "5411": 10,
        "5812": 8,
        "4111": 5,
        "5311": 5,
        "7995": 1,
        "6051": 0.5,
        "4829": 1,
        "5944": 0.5,
        "4900": 2,
    },
)
RISKY_MIX = _weights(MCC_CODES, {"7995": 50, "6051": 20, "4829": 15, "6011": 15})
FRAUD_MIX = _weights(MCC_CODES, {"5732": 30, "5944": 15, "6051": 25, "4829": 15, "7995": 15})
TRAVEL_MIX = _weights(
    COUNTRIES,
    {
        "ES": 20,
        "IT": 15,
        "DE": 10,
        "BE": 8,
        "GB": 10,
        "CH": 6,
        "NL": 5,
        "US": 8,
        "PT": 8,
        "IE": 3,
        "MA": 2,
        "TN": 1,
        "TR": 1,
        "CN": 2,
        "JP": 1,
    },
)
FRAUD_COUNTRIES = _weights(
    COUNTRIES, {"US": 15, "GB": 10, "NG": 12, "RU": 10, "CN": 10, "BR": 8, "RO": 10, "UA": 8, "IN": 7, "HK": 5, "TR": 5}
)
MCC_SIZE = _table(
    MCC_CODES,
    {
        "4511": 8,
        "7011": 5,
        "5944": 6,
        "5732": 4,
        "6011": 2.5,
        "5541": 1.6,
        "5311": 1.5,
        "5691": 1.5,
        "5661": 1.5,
        "4829": 3,
        "6051": 3,
        "7995": 1.5,
        "4900": 2.5,
        "4814": 1.5,
        "5812": 0.8,
        "5912": 0.8,
        "4111": 0.6,
    },
    1.0,
)
"""Typical ticket size per merchant category, relative to a client's everyday purchase."""
CHANNEL_SIZE = _table(CHANNEL_NAMES, {"branch": 4, "mobile": 2, "internet": 3, "direct_debit": 3, "transfer": 4}, 1.0)
"""Typical ticket size per channel when there is no merchant, relative to an everyday purchase."""
CREDIT_SHARE = _table(
    CHANNEL_NAMES,
    {"pos": 0.01, "ecommerce": 0.03, "branch": 0.4, "mobile": 0.3, "internet": 0.25, "transfer": 0.7},
    0.0,
)
"""Share of each channel's transactions that bring money in (refunds, cash deposits, incoming transfers)."""
HOURS = np.array([0.3, 0.15, 0.1, 0.08, 0.1, 0.3, 0.8, 2, 3.5, 4, 4.5, 5.5, 7, 6, 5, 5, 5.5, 6.5, 7, 6, 5, 3.5, 2, 1])
HOURS = HOURS / HOURS.sum()
CURRENCY_OF = {COUNTRIES.index("US"): 1, COUNTRIES.index("GB"): 2, COUNTRIES.index("CH"): 3}
