"""The bank's life-cycle events of a day (accounts opened and closed, payments due, made and missed, defaults,
KYC reviews, complaints, moves), collected batch by batch and reported in time order."""

import numpy as np
import pandas as pd

from riskhub_assets.simulator.codes import EVENT_TYPES

OPENED, CLOSED, DUE, MADE, MISSED, DEFAULT, KYC, COMPLAINT, MOVED = range(len(EVENT_TYPES))


def office_hours(rng: np.random.Generator, n: int) -> np.ndarray:
    """Times of day (seconds) within office hours, for events a branch or back office records."""
    return rng.integers(9 * 3600, 18 * 3600, n)


class Events:
    """The day's life-cycle events, collected batch by batch."""

    def __init__(self) -> None:
        self.batches: list[dict[str, np.ndarray]] = []

    def add(
        self,
        client: np.ndarray,
        seconds: np.ndarray,
        kind: int | np.ndarray,
        account: int | np.ndarray = -1,
        amount: float | np.ndarray = np.nan,
    ) -> None:
        """Record events for these clients; scalars apply to every event, account -1 means a client-level event."""
        n = len(client)
        if n:
            cols = dict(client=client, seconds=seconds, kind=kind, account=account, amount=amount)
            self.batches.append({k: np.broadcast_to(v, n) for k, v in cols.items()})

    def close(self, first_id: int) -> pd.DataFrame:
        """The day's events in time order with their ids."""
        cols = {
            k: np.concatenate([b[k] for b in self.batches]) if self.batches else np.zeros(0, dtype=int)
            for k in ("client", "account", "seconds", "kind", "amount")
        }
        order = np.argsort(cols["seconds"], kind="stable")
        cols = {k: v[order] for k, v in cols.items()}
        return pd.DataFrame(
            {
                "event_id": np.arange(first_id, first_id + len(order)),
                "client_id": cols["client"] + 1,
                "account_id": pd.Series(cols["account"] + 1, dtype="Int64").mask(cols["account"] < 0),
                "timestamp": cols["seconds"],
                "event_type": pd.Categorical.from_codes(cols["kind"], EVENT_TYPES),
                "amount": np.round(cols["amount"].astype(float), 2),
            }
        )
