"""The latent state behind each client's behaviour, and the hazards and 90-day probabilities it implies."""

import datetime

import numpy as np

HORIZON = 90
"""Days ahead the ground-truth probabilities look."""

STRESS_DECAY = np.exp(-1 / 45)
"""Daily factor by which financial stress fades (a shock halves in about a month)."""


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def miss_probability(risk: np.ndarray, stress: np.ndarray, income: np.ndarray) -> np.ndarray:
    """Chance that a client misses a payment falling due, given risk propensity, stress and income."""
    return sigmoid(-3.3 + 0.9 * risk + 1.5 * stress - 0.4 * np.log(income / 30_000))


def churn_hazard(engagement: np.ndarray) -> np.ndarray:
    """Daily chance that a client closes the whole relationship, rising steeply as engagement fades."""
    return np.minimum(1e-4 * np.exp(-1.4 * engagement), 0.05)


def shock_hazard(risk: np.ndarray) -> np.ndarray:
    """Daily chance of a financial shock (job loss, divorce, illness), higher for risk-prone clients."""
    return 5e-4 * np.exp(0.6 * risk)


def disengage_hazard(engagement: np.ndarray) -> np.ndarray:
    """Daily chance that a client starts drifting away from the bank."""
    return 4e-4 * np.exp(-0.5 * engagement)


def evolve(
    rng: np.random.Generator,
    live: np.ndarray,
    stress: np.ndarray,
    engagement: np.ndarray,
    drift: np.ndarray,
    risk: np.ndarray,
) -> None:
    """Advance one day: stress fades and shocks arrive, engagement follows its drift, some clients start to drift."""
    n = len(live)
    stress *= STRESS_DECAY
    shocked = live & (rng.random(n) < shock_hazard(risk))
    stress[shocked] += rng.exponential(1.5, shocked.sum())
    engagement += drift
    start = live & (drift == 0) & (rng.random(n) < disengage_hazard(engagement))
    drift[start] = -rng.uniform(0.005, 0.03, start.sum())


def due_offsets(today: datetime.date) -> dict[int, list[int]]:
    """For each due day of the month (1-28), the days ahead within the horizon on which it falls."""
    offsets: dict[int, list[int]] = {d: [] for d in range(1, 29)}
    for s in range(1, HORIZON + 1):
        day = (today + datetime.timedelta(days=s)).day
        if day in offsets:
            offsets[day].append(s)
    return offsets


def default_probability(
    today: datetime.date,
    owner: np.ndarray,
    due_day: np.ndarray,
    run: np.ndarray,
    risk: np.ndarray,
    stress: np.ndarray,
    income: np.ndarray,
    clients: int,
) -> np.ndarray:
    """Per client, the chance that some credit account reaches a third missed payment in a row within the horizon.

    Exact under the simulator's own rules given today's state, with stress fading as it does and no new shocks.
    """
    log_survival = np.zeros(clients)
    for day, steps in due_offsets(today).items():
        pick = due_day == day
        if not pick.any():
            continue
        who = owner[pick]
        state = np.zeros((pick.sum(), 3))
        state[np.arange(pick.sum()), run[pick]] = 1.0
        absorbed = np.zeros(pick.sum())
        for s in steps:
            m = miss_probability(risk[who], stress[who] * STRESS_DECAY**s, income[who])
            absorbed += state[:, 2] * m
            state = np.column_stack([state.sum(axis=1) * (1 - m), state[:, 0] * m, state[:, 1] * m])
        log_survival += np.bincount(who, weights=np.log1p(-np.minimum(absorbed, 1 - 1e-12)), minlength=clients)
    return 1 - np.exp(log_survival)


def churn_probability(engagement: np.ndarray, drift: np.ndarray) -> np.ndarray:
    """Per client, the chance of closing the relationship within the horizon if engagement keeps its current drift."""
    ahead = engagement[:, None] + drift[:, None] * np.arange(1, HORIZON + 1)[None, :]
    return 1 - np.exp(np.log1p(-churn_hazard(ahead)).sum(axis=1))
