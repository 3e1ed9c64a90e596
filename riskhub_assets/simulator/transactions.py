"""The day's money movements: everyday spending, salaries and savings transfers, and card fraud."""

import numpy as np
import pandas as pd

from riskhub_assets.lib.contract import CHANNELS, CURRENCIES, DIRECTIONS, MERCHANT_CATEGORIES
from riskhub_assets.simulator.dynamics import sigmoid
from riskhub_assets.simulator.identity import COUNTRIES as RESIDENCES

CHANNEL_NAMES = tuple(CHANNELS)
MCC_CODES = tuple(MERCHANT_CATEGORIES)
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
FRAUD_PATTERNS = ("card_testing", "card_not_present_burst", "skimming")
DEBIT, CREDIT = DIRECTIONS.index("debit"), DIRECTIONS.index("credit")
POS, ECOMMERCE, ATM, MOBILE, DIRECT_DEBIT, TRANSFER = (
    CHANNEL_NAMES.index(c) for c in ("pos", "ecommerce", "atm", "mobile", "direct_debit", "transfer")
)


def _table(names: tuple[str, ...], values: dict[str, float], default: float) -> np.ndarray:
    return np.array([values.get(n, default) for n in names])


def _weights(names: tuple[str, ...], weights: dict[str, float]) -> np.ndarray:
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


def _draw(rng: np.random.Generator, p: np.ndarray, n: int) -> np.ndarray:
    return np.minimum(np.searchsorted(np.cumsum(p), rng.random(n)), len(p) - 1)


def _local_currency(rng: np.random.Generator, country: np.ndarray, currency: np.ndarray, share: float) -> np.ndarray:
    out = currency.copy()
    for code, cur in CURRENCY_OF.items():
        pick = (country == code) & (rng.random(len(country)) < share)
        out[pick] = cur
    return out


class Ledger:
    """The day's bookings, collected batch by batch and finally put in booking-time order."""

    def __init__(self, account_currency: np.ndarray) -> None:
        self.account_currency = account_currency
        self.batches: list[dict[str, np.ndarray]] = []

    def book(
        self,
        account: np.ndarray,
        seconds: np.ndarray,
        amount: np.ndarray,
        direction: int | np.ndarray,
        channel: int | np.ndarray,
        country: np.ndarray,
        mcc: int | np.ndarray = -1,
        currency: np.ndarray | None = None,
        fraud: int | np.ndarray = 0,
    ) -> None:
        """Book transactions; scalars apply to every row, currency defaults to the account's."""
        n = len(account)
        if n == 0:
            return
        if currency is None:
            currency = self.account_currency[account]
        cols = dict(
            account=account,
            seconds=seconds,
            amount=np.maximum(np.round(amount, 2), 0.01),
            direction=direction,
            channel=channel,
            country=country,
            mcc=mcc,
            currency=currency,
            fraud=fraud,
        )
        self.batches.append({k: np.broadcast_to(v, n) for k, v in cols.items()})

    def close(self, first_id: int, accounts: int) -> tuple[pd.DataFrame, np.ndarray]:
        """The day's transactions in booking order with their ids, and each account's net movement."""
        names = ("account", "seconds", "amount", "direction", "channel", "country", "mcc", "currency", "fraud")
        cols = {
            k: np.concatenate([b[k] for b in self.batches]) if self.batches else np.zeros(0, dtype=int) for k in names
        }
        order = np.lexsort((cols["account"], cols["seconds"]))
        cols = {k: v[order] for k, v in cols.items()}
        settled = cols["amount"] * FX[cols["currency"]] / FX[self.account_currency[cols["account"]]]
        movement = np.bincount(cols["account"], np.where(cols["direction"] == CREDIT, settled, -settled), accounts)
        frame = pd.DataFrame(
            {
                "transaction_id": np.arange(first_id, first_id + len(order)),
                "account_id": cols["account"] + 1,
                "timestamp": cols["seconds"],
                "amount": cols["amount"],
                "currency": pd.Categorical.from_codes(cols["currency"], CURRENCIES),
                "direction": pd.Categorical.from_codes(cols["direction"], DIRECTIONS),
                "channel": pd.Categorical.from_codes(cols["channel"], CHANNEL_NAMES),
                "merchant_category": pd.Categorical.from_codes(cols["mcc"], MCC_CODES),
                "counterparty_country": pd.Categorical.from_codes(cols["country"], COUNTRIES),
                "fraud": cols["fraud"],
            }
        )
        return frame, np.round(movement, 2)


def spending(
    rng: np.random.Generator,
    ledger: Ledger,
    rate: np.ndarray,
    scale: np.ndarray,
    digital: np.ndarray,
    risky: np.ndarray,
    home: np.ndarray,
    primary: np.ndarray,
    card: np.ndarray,
) -> int:
    """Everyday transactions, given per client: daily rate, ticket size, habits and accounts; returns the count."""
    c = np.repeat(np.arange(len(rate)), rng.poisson(rate))
    n = len(c)
    channel = np.where(rng.random(n) < digital[c], _draw(rng, DIGITAL_MIX, n), _draw(rng, TRADITIONAL_MIX, n))
    on_card = ((channel == POS) | (channel == ECOMMERCE)) & (card[c] >= 0) & (rng.random(n) < 0.65)
    account = np.where(on_card, card[c], primary[c])
    merchant = (channel == POS) | (channel == ECOMMERCE)
    mcc = np.where(channel == POS, _draw(rng, POS_MIX, n), _draw(rng, ECOMMERCE_MIX, n))
    mcc = np.where(merchant & (rng.random(n) < risky[c]), _draw(rng, RISKY_MIX, n), mcc)
    mcc = np.where(channel == ATM, MCC_CODES.index("6011"), np.where(merchant, mcc, -1))
    credit = rng.random(n) < CREDIT_SHARE[channel]
    size = np.where(mcc >= 0, MCC_SIZE[np.maximum(mcc, 0)], CHANNEL_SIZE[channel])
    amount = scale[c] * size * rng.lognormal(-0.245, 0.7, n)
    amount = np.where(channel == ATM, np.maximum(np.round(amount / 10) * 10, 10), np.minimum(amount, 250_000))
    abroad = rng.random(n) < np.select([channel == POS, channel == ECOMMERCE, channel == ATM], [0.03, 0.15, 0.02], 0.01)
    country = np.where(abroad, _draw(rng, TRAVEL_MIX, n), home[c])
    currency = ledger.account_currency[account]
    card_like = merchant | (channel == ATM)
    currency = np.where(abroad & card_like, _local_currency(rng, country, currency, 0.5), currency)
    batch = (channel == DIRECT_DEBIT) | (channel == TRANSFER)
    hour = np.where(batch & (rng.random(n) < 0.7), rng.integers(1, 7, n), _draw(rng, HOURS, n))
    ledger.book(
        account,
        hour * 3600 + rng.integers(0, 3600, n),
        amount,
        np.where(credit, CREDIT, DEBIT),
        channel,
        country,
        mcc,
        currency,
    )
    return n


def risky_share(risk: np.ndarray, stress: np.ndarray) -> np.ndarray:
    """Share of a client's card spending that goes to gambling, crypto, wires and cash."""
    return 0.015 + 0.12 * sigmoid(1.2 * risk + 1.0 * stress - 2.5)


def fraud(rng: np.random.Generator, ledger: Ledger, cards: np.ndarray, home: np.ndarray, expected: float) -> None:
    """Bursts of fraudulent card use: testing then large online buys, online bursts, skimmed cards abroad."""
    bursts = min(rng.poisson(expected), len(cards))
    if bursts == 0:
        return
    pick = rng.choice(len(cards), bursts, replace=False)
    account = cards[pick]
    pattern = _draw(rng, np.array([0.3, 0.45, 0.25]), bursts)
    size = 2 + rng.poisson(2.5, bursts)
    night = rng.random(bursts) < 0.55
    start = np.where(night, rng.integers(0, 6 * 3600, bursts), rng.integers(6 * 3600, 86_000, bursts))
    abroad = rng.random(bursts) < 0.8
    where = np.where(abroad, _draw(rng, FRAUD_COUNTRIES, bursts), home[pick])
    b = np.repeat(np.arange(bursts), size)
    first = np.r_[True, b[1:] != b[:-1]]
    n = len(b)
    offset = np.cumsum(np.where(first, 0, rng.exponential(120, n)))
    seconds = np.minimum(start[b] + (offset - offset[first][b]).astype(int), 86_399)
    skim = pattern[b] == 2
    testing = (pattern[b] == 0) & first
    channel = np.where(skim, np.where(rng.random(n) < 0.5, ATM, POS), ECOMMERCE)
    mcc = np.where(rng.random(n) < 0.8, _draw(rng, FRAUD_MIX, n), _draw(rng, ECOMMERCE_MIX, n))
    mcc = np.where(testing, MCC_CODES.index("5999"), np.where(channel == ATM, MCC_CODES.index("6011"), mcc))
    amount = np.where(testing, rng.uniform(0.5, 3, n), rng.lognormal(np.log(350), 0.7, n))
    amount = np.where(channel == ATM, np.round(rng.uniform(20, 50, n)) * 10, amount)
    currency = _local_currency(rng, where[b], ledger.account_currency[account[b]], 0.6)
    ledger.book(account[b], seconds, amount, DEBIT, channel, where[b], mcc, currency, pattern[b] + 1)
