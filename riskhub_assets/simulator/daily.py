"""One business day at the simulated bank: life events, payments, spending, fraud, churn, and what gets reported."""

import datetime

import numpy as np
import pandas as pd

from riskhub_assets.simulator import dynamics, identity
from riskhub_assets.simulator import transaction_mix as mix
from riskhub_assets.simulator import transactions as tx
from riskhub_assets.simulator.commercial import Sales
from riskhub_assets.simulator.events import (
    CLOSED,
    COMPLAINT,
    DEFAULT,
    DUE,
    KYC,
    MADE,
    MISSED,
    MOVED,
    OPENED,
    Events,
    office_hours,
)
from riskhub_assets.simulator.population import (
    ACTIVE,
    CARD,
    CHURNED,
    CURRENT,
    DEFAULTED,
    EMPLOYED,
    LOAN,
    SAVINGS,
    SELF_EMPLOYED,
    UNEMPLOYED,
    Table,
    new_accounts,
    new_clients,
    starter_products,
)
from riskhub_assets.simulator.reports import Day, account_rows, client_rows, facility_rows, truth

INFLOW = 0.10
"""New clients per year as a share of the live book."""
FRAUD_SHARE = 0.003
"""Expected share of transactions that are fraudulent."""
COUNTRY_CODE = {c: i for i, c in enumerate(mix.COUNTRIES)}


def _home(countries: np.ndarray) -> np.ndarray:
    """Counterparty-country codes of these residence countries."""
    return np.array([COUNTRY_CODE[c] for c in countries], dtype=np.int64)


class Bank:
    """The simulated bank: its client book and accounts, advanced one day at a time."""

    def __init__(self, seed: int, clients: int, tx_per_client: float) -> None:
        self.seed, self.book_size, self.tx_per_client = seed, clients, tx_per_client
        self.clients, self.accounts = Table(), Table()
        self.next_transaction = self.next_event = 1
        self.sales: Sales | None = None

    def day(self, today: datetime.date) -> Day:
        """Simulate one day and report it."""
        rng = np.random.default_rng([self.seed, today.toordinal()])
        now = np.datetime64(today, "D")
        events = Events()
        first_day = len(self.clients) == 0
        if first_day:
            self._onboard(rng, self.book_size, now, events, existing=True)
        c = self.clients
        dynamics.evolve(rng, c["status"] == ACTIVE, c["stress"], c["engagement"], c["drift"], c["risk"])
        newcomers = self._onboard(
            rng, rng.poisson((c["status"] != CHURNED).sum() * INFLOW / 365), now, events, existing=False
        )
        self._take_products(rng, now, events)
        changed = self._life_events(rng, now, events)
        ledger = tx.Ledger(self.accounts["currency"])
        self._payments(rng, today, now, events, ledger)
        self._spend(rng, today, ledger)
        frame, movement = ledger.close(self.next_transaction, len(self.accounts))
        self.next_transaction += len(frame)
        self.accounts["balance"] = np.round(self.accounts["balance"] + movement, 2)
        self._churn(rng, now, events)
        self.accounts["arrears_since"][self.accounts["balance"] >= 0] = np.datetime64("NaT")  # nothing owed, none due
        self.sales = self.sales or Sales(self.seed, self.book_size, today)
        holdings, managers, personas = self.sales.day(today, self.clients)
        event_frame = events.close(self.next_event)
        self.next_event += len(event_frame)
        reported = np.arange(len(c)) if first_day else np.union1d(newcomers, changed)
        fraud = frame[frame["fraud"] > 0]
        return Day(
            client_rows(self.clients, self.sales.manager, reported),
            account_rows(self.accounts, now),
            facility_rows(self.accounts, self.clients["status"], now),
            frame,
            event_frame,
            managers,
            holdings,
            truth(self.clients, self.accounts, today),
            pd.DataFrame(
                {
                    "transaction_id": fraud["transaction_id"],
                    "pattern": np.asarray(tx.FRAUD_PATTERNS)[fraud["fraud"].to_numpy() - 1],
                }
            ),
            personas,
            self.sales.manager_truth(),
        )

    def _holdings(self) -> np.ndarray:
        """Per client and account kind, the open account's position (-1 when none)."""
        a = self.accounts
        held = np.full((len(self.clients), 4), -1)
        open_ = np.nonzero(np.isnat(a["close"]))[0]
        held[a["owner"][open_], a["kind"][open_]] = open_
        return held

    def _open(self, rng, owners, kinds, now, events, existing) -> None:
        """Open accounts; those opened today (not the existing book's) are reported as account_opened."""
        idx = self.accounts.append(new_accounts(rng, self.clients, owners, kinds, now, existing))
        if not existing:
            events.add(owners, office_hours(rng, len(idx)), OPENED, idx)

    def _onboard(self, rng, n, now, events, existing) -> np.ndarray:
        """Book n clients with their starter products; returns their positions."""
        who = self.clients.append(new_clients(rng, n, now, len(self.clients) + 1, existing))
        self._open(rng, *starter_products(rng, self.clients, who), now, events, existing)
        return who

    def _take_products(self, rng, now, events) -> None:
        """Existing clients occasionally take a card, a loan (more so under stress) or a savings account."""
        c, held = self.clients, self._holdings()
        n, active = len(c), c["status"] == ACTIVE
        wants = {
            CARD: active & (held[:, CARD] < 0) & (rng.random(n) < 2e-4 * (0.5 + c["digital"])),
            LOAN: active & (held[:, LOAN] < 0) & (rng.random(n) < 2.5e-4 * np.exp(0.4 * c["stress"])),
            SAVINGS: active & (held[:, SAVINGS] < 0) & (rng.random(n) < 1.5e-4),
        }
        owners = np.concatenate([np.nonzero(w)[0] for w in wants.values()])
        kinds = np.concatenate([np.full(w.sum(), k) for k, w in wants.items()])
        self._open(rng, owners, kinds, now, events, existing=False)

    def _life_events(self, rng, now, events) -> np.ndarray:
        """KYC reviews, address changes and complaints; returns the clients whose KYC record changed."""
        c = self.clients
        n, live = len(c), c["status"] != CHURNED
        review = np.nonzero(live & (c["next_kyc"] <= now))[0]
        c["kyc"][review] = now
        c["next_kyc"][review] = now + c["cycle"][review].astype("timedelta64[D]")
        c["declared"][review] = np.round(c["income"][review] * rng.lognormal(0, 0.08, len(review)), -2)
        lost_job = review[
            np.isin(c["employment"][review], (EMPLOYED, SELF_EMPLOYED))
            & (c["stress"][review] > 1.5)
            & (rng.random(len(review)) < 0.4)
        ]
        c["employment"][lost_job] = UNEMPLOYED
        c["declared"][lost_job] = np.round(c["declared"][lost_job] * 0.45, -2)
        events.add(review, office_hours(rng, len(review)), KYC)
        moved = np.nonzero(live & (rng.random(n) < 2.2e-4 * (1 + 0.5 * (c["risk"] > 1))))[0]
        c["address"][moved] = identity.addresses(rng, c["country"][moved])
        events.add(moved, office_hours(rng, len(moved)), MOVED)
        complained = np.nonzero(live & (rng.random(n) < 2.5e-4 * np.exp(-0.9 * c["engagement"])))[0]
        events.add(complained, office_hours(rng, len(complained)), COMPLAINT, self._holdings()[complained, CURRENT])
        upset = complained[(c["drift"][complained] == 0) & (rng.random(len(complained)) < 0.35)]
        c["drift"][upset] = -rng.uniform(0.005, 0.03, len(upset))
        return np.union1d(review, moved)

    def _payments(self, rng, today, now, events, ledger) -> None:
        """Card and loan payments falling due today: made or missed; a third miss in a row is a default."""
        a, c = self.accounts, self.clients
        card = a["kind"] == CARD
        owed = np.where(card, -a["balance"], np.minimum(a["instalment"], -a["balance"] * (1 + a["rate"])))
        idx = np.nonzero(
            np.isnat(a["close"])
            & (card | (a["kind"] == LOAN))
            & (a["due_day"] == today.day)
            & (c["status"][a["owner"]] == ACTIVE)
            & (owed >= 0.01)
        )[0]
        who, amount, n = a["owner"][idx], np.round(owed[idx], 2), len(idx)
        missed = rng.random(n) < dynamics.miss_probability(c["risk"][who], c["stress"][who], c["income"][who])
        due_at = rng.integers(6 * 3600, 7 * 3600, n)
        settled_at = due_at + rng.integers(60, 3600, n)
        events.add(who, due_at, DUE, idx, amount)
        events.add(who, settled_at, np.where(missed, MISSED, MADE), idx, amount)
        a["run"][idx] = np.where(missed, a["run"][idx] + 1, 0)
        since = a["arrears_since"][idx]
        a["arrears_since"][idx] = np.where(missed, np.where(np.isnat(since), now, since), np.datetime64("NaT", "D"))
        paid, home = ~missed, _home(c["country"][who])
        principal = amount - np.where(card[idx], 0, np.round(-a["balance"][idx] * a["rate"][idx], 2))
        ledger.book(idx[paid], settled_at[paid], principal[paid], mix.CREDIT, mix.TRANSFER, home[paid])
        current = self._holdings()[who, CURRENT]
        debit = paid & (current >= 0)
        ledger.book(
            current[debit],
            settled_at[debit],
            amount[debit],
            mix.DEBIT,
            mix.DIRECT_DEBIT,
            home[debit],
            currency=a["currency"][idx[debit]],
        )
        repaid = paid & ~card[idx] & (principal >= -a["balance"][idx] - 0.01)
        a["close"][idx[repaid]] = now
        events.add(who[repaid], settled_at[repaid] + 1, CLOSED, idx[repaid])
        hit = a["run"][idx] >= 3
        defaulters, first = np.unique(who[hit], return_index=True)
        c["status"][defaulters] = DEFAULTED
        at = settled_at[hit][first] + 1
        events.add(defaulters, at, DEFAULT, idx[hit][first], 3 * amount[hit][first])
        blocked = self._holdings()[defaulters, CARD]
        a["close"][blocked[blocked >= 0]] = now
        events.add(defaulters[blocked >= 0], at[blocked >= 0] + 1, CLOSED, blocked[blocked >= 0])

    def _spend(self, rng, today, ledger) -> None:
        """Salaries, savings transfers, everyday spending (driven by engagement, income and stress) and fraud."""
        c, held = self.clients, self._holdings()
        home = _home(c["country"])
        primary = np.where(
            held[:, CURRENT] >= 0, held[:, CURRENT], np.where(held[:, CARD] >= 0, held[:, CARD], held[:, SAVINGS])
        )
        live = (c["status"] != CHURNED) & (primary >= 0)
        current, salary = held[:, CURRENT], np.round(c["income"] * 0.75 / 12, 2)
        self._salaries(rng, today, ledger, held, home, live, salary)
        who = np.nonzero(live)[0]
        engagement, stress, risk = c["engagement"][who], c["stress"][who], c["risk"][who]
        weekday = (1, 1, 1, 1, 1.05, 0.9, 0.6)[today.weekday()]
        rate = (
            self.tx_per_client
            * weekday
            * np.exp(0.5 * (engagement - 0.6) - 0.08)
            * np.where(c["status"][who] == DEFAULTED, 0.5, 1.0)
        )
        monthly = salary[who]
        cushion = np.where(current[who] >= 0, self.accounts["balance"][current[who]] / monthly - 2, 0)
        appetite = 0.85 + 0.25 * stress + 0.05 * risk + 0.3 * np.tanh(cushion)
        scale = monthly * 12 / 365 * appetite / self.tx_per_client / 1.15
        n = tx.spending(
            rng,
            ledger,
            rate,
            scale,
            c["digital"][who],
            tx.risky_share(risk, stress),
            home[who],
            primary[who],
            held[who, CARD],
        )
        cards = held[:, CARD][live & (held[:, CARD] >= 0)]
        tx.fraud(rng, ledger, cards, home[live & (held[:, CARD] >= 0)], FRAUD_SHARE * n / 4.5)

    def _salaries(self, rng, today, ledger, held, home, live, salary) -> None:
        """Salaries paid into current accounts on payday, part of them saved; clients under stress dip into savings."""
        c, current, savings = self.clients, held[:, CURRENT], held[:, SAVINGS]
        payday = live & (c["payday"] == today.day) & (current >= 0)
        paid = payday & (c["engagement"] > -1.0)
        ledger.book(
            current[paid],
            rng.integers(3 * 3600, 6 * 3600, paid.sum()),
            salary[paid],
            mix.CREDIT,
            mix.TRANSFER,
            home[paid],
        )
        saver = np.nonzero(payday & (savings >= 0) & (c["stress"] < 0.5) & (rng.random(len(c)) < 0.6))[0]
        self._move(rng, ledger, current[saver], savings[saver], np.round(0.08 * salary[saver], 2), home[saver])
        dipping = np.nonzero(
            live
            & (savings >= 0)
            & (current >= 0)
            & (c["stress"] > 1)
            & (self.accounts["balance"][savings] > 50)
            & (rng.random(len(c)) < 0.03)
        )[0]
        self._move(
            rng,
            ledger,
            savings[dipping],
            current[dipping],
            np.round(0.3 * self.accounts["balance"][savings[dipping]], 2),
            home[dipping],
        )

    def _move(self, rng, ledger, source, target, amount, home) -> None:
        """A client's transfer between two of their own accounts, in the source account's currency."""
        at = rng.integers(7 * 3600, 23 * 3600, len(source))
        currency = self.accounts["currency"][source]
        ledger.book(source, at, amount, mix.DEBIT, mix.MOBILE, home, currency=currency)
        ledger.book(target, at, amount, mix.CREDIT, mix.MOBILE, home, currency=currency)

    def _churn(self, rng, now, events) -> None:
        """Clients leaving the bank close all their accounts today."""
        c, a = self.clients, self.accounts
        leaving = (c["status"] == ACTIVE) & (rng.random(len(c)) < dynamics.churn_hazard(c["engagement"]))
        c["status"][leaving] = CHURNED
        closing = np.nonzero(np.isnat(a["close"]) & leaving[a["owner"]])[0]
        a["close"][closing] = now
        a["balance"][closing] = 0.0
        events.add(a["owner"][closing], office_hours(rng, len(closing)), CLOSED, closing)
