"""The day's money movements: everyday spending, salaries and savings transfers, and card fraud."""

import numpy as np
import pandas as pd

from riskhub_assets.lib.contract import DIRECTIONS
from riskhub_assets.simulator.codes import CURRENCIES
from riskhub_assets.simulator.dynamics import sigmoid
from riskhub_assets.simulator.transaction_mix import (
    ATM,
    CHANNEL_NAMES,
    CHANNEL_SIZE,
    COUNTRIES,
    CREDIT,
    CREDIT_SHARE,
    CURRENCY_OF,
    DEBIT,
    DIGITAL_MIX,
    DIRECT_DEBIT,
    ECOMMERCE,
    ECOMMERCE_MIX,
    FRAUD_COUNTRIES,
    FRAUD_MIX,
    FX,
    HOURS,
    MCC_CODES,
    MCC_SIZE,
    POS,
    POS_MIX,
    RISKY_MIX,
    TRADITIONAL_MIX,
    TRANSFER,
    TRAVEL_MIX,
)

FRAUD_PATTERNS = ("card_testing", "card_not_present_burst", "skimming")
"""The kinds of card fraud, by the code a fraudulent transaction carries (1, 2, 3; 0 is genuine)."""


def _draw(rng: np.random.Generator, p: np.ndarray, n: int) -> np.ndarray:
    """`n` codes drawn with probabilities `p`."""
    return np.minimum(np.searchsorted(np.cumsum(p), rng.random(n)), len(p) - 1)


def _local_currency(rng: np.random.Generator, country: np.ndarray, currency: np.ndarray, share: float) -> np.ndarray:
    """Payment currencies where a `share` of those in the US, GB and CH are made in the local currency."""
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
