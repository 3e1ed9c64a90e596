"""What each landing file must satisfy to be clean: the references its keys must resolve and its business rules."""

from dataclasses import dataclass

from riskhub_assets.lib.contract import (
    ACCOUNTS,
    BALANCES,
    CLIENTS,
    CREDIT_FACILITIES,
    EVENTS,
    FX_RATES,
    MAX_AMOUNT,
    PRODUCT_HOLDINGS,
    RELATIONSHIP_MANAGERS,
    TRANSACTIONS,
    LandingFile,
)
from riskhub_assets.lib.sql_files import read_sql


@dataclass(frozen=True)
class Reference:
    """A key that must point at a record known on the row's business day, else the row is quarantined."""

    column: str
    relation: str  # SQL with columns key, valid_from, valid_to; may use $start and $end
    same_day: bool = False  # valid only on valid_from: an equality join, far faster over a range of days
    missing: str = ""  # the quarantine reason when it does not resolve; by default "unknown <column>"

    @property
    def reason(self) -> str:
        """What a quarantined row's reason says before the value."""
        return self.missing or f"unknown {self.column}"

    only_once_sent: bool = False  # checked only once the referenced (optional) file has been sent at all
    ended: str = ""  # SQL with columns key, ended_on: a key valid earlier but ended before the row's day is named so


@dataclass(frozen=True)
class Rule:
    """A business rule on typed columns: when `violated` is true the row is quarantined with `reason`."""

    violated: str
    reason: str


@dataclass(frozen=True)
class CleaningSpec:
    """How one landing file becomes a clean table: its contract, references and business rules."""

    landing: LandingFile
    references: tuple[Reference, ...] = ()
    rules: tuple[Rule, ...] = ()
    key_once: bool = False  # the key is sent once in all history (a booked fact): a later day's copy is quarantined

    @property
    def name(self) -> str:
        return self.landing.name

    @property
    def queries(self) -> tuple[str, ...]:
        """The SQL its references and rules run beside the file's own staged rows (a rule as a filter of them)."""
        relations = [r.relation for r in self.references] + [r.ended for r in self.references if r.ended]
        return (*relations, *(f"SELECT * FROM staged WHERE {rule.violated}" for rule in self.rules))


_FAR_FUTURE = "DATE '9999-12-31'"


def _known_as_of(table: str, column: str) -> str:
    """Keys of a clean table valid from the first day they were seen, for good."""
    return (
        f"SELECT {column} AS key, min(business_date) AS valid_from, {_FAR_FUTURE} AS valid_to"
        f" FROM clean.{table} WHERE business_date <= $end GROUP BY {column}"
    )


ACCOUNT_OPEN_THAT_DAY = Reference(
    "account_id",
    f"SELECT account_id AS key, day AS valid_from, day AS valid_to FROM ({read_sql('clean', 'account_days')})",
    same_day=True,
    ended="SELECT account_id AS key, max(close_date) AS ended_on FROM clean.accounts"
    " WHERE close_date IS NOT NULL AND business_date <= $end GROUP BY account_id",
)
"""An account known and open on the row's business day: by its latest accounts record on or before that day."""


RATE_IN_FORCE = Reference(
    "currency",
    read_sql("clean", "fx_rate_periods"),
    missing="no rate into the reporting currency in fx_rates.csv within a week for currency",
)
"""A currency other than the reporting one needs a rate in force on the row's day: never a silent conversion."""


def _outside_day(column: str) -> Rule:
    """A timestamp (or, where the time may be unknown, a date alone) must fall on the business day of its file."""
    return Rule(f'"{column}__day" <> business_date', f"{column} outside the business date")


CLEANING_SPECS: dict[str, CleaningSpec] = {
    "fx_rates": CleaningSpec(
        FX_RATES,
        rules=(
            Rule("rate <= 0", "rate not positive"),
            Rule(
                "currency IN (SELECT code FROM reference.currencies WHERE reporting = '1') AND rate <> 1",
                "the reporting currency converts at 1",
            ),
        ),
    ),
    "relationship_managers": CleaningSpec(
        RELATIONSHIP_MANAGERS,
        rules=(
            Rule("hire_date > business_date", "hire_date after the business date"),
            Rule("monthly_sales_objective < 0", "negative monthly_sales_objective"),
        ),
    ),
    "clients": CleaningSpec(
        CLIENTS,
        references=(Reference("manager_id", _known_as_of("relationship_managers", "manager_id"), only_once_sent=True),),
        rules=(
            Rule("birth_date > business_date", "birth_date after the business date"),
            Rule("onboarding_date > business_date", "onboarding_date after the business date"),
            Rule("kyc_review_date > business_date", "kyc_review_date after the business date"),
            Rule("annual_income < 0", "negative annual_income"),
        ),
    ),
    "accounts": CleaningSpec(
        ACCOUNTS,
        references=(Reference("client_id", _known_as_of("clients", "client_id")), RATE_IN_FORCE),
        rules=(
            Rule("open_date > business_date", "open_date after the business date"),
            Rule("close_date < open_date", "close_date before open_date"),
            Rule("close_date > business_date", "close_date after the business date"),
            Rule(
                "account_type IN ('card', 'loan') AND limit_or_principal IS NULL",
                "missing limit_or_principal for a card or loan",
            ),
        ),
    ),
    "balances": CleaningSpec(BALANCES, references=(ACCOUNT_OPEN_THAT_DAY,)),
    "transactions": CleaningSpec(
        TRANSACTIONS,
        references=(
            ACCOUNT_OPEN_THAT_DAY,
            RATE_IN_FORCE,
        ),
        rules=(
            Rule(f"amount <= 0 OR amount >= {MAX_AMOUNT}", f"impossible amount (must be > 0 and < {MAX_AMOUNT:,})"),
            _outside_day("timestamp"),
        ),
        key_once=True,
    ),
    "events": CleaningSpec(
        EVENTS,
        references=(
            Reference("client_id", _known_as_of("clients", "client_id")),
            ACCOUNT_OPEN_THAT_DAY,
        ),
        rules=(Rule("amount < 0", "negative amount"), _outside_day("timestamp")),
        key_once=True,
    ),
    "product_holdings": CleaningSpec(
        PRODUCT_HOLDINGS,
        references=(Reference("client_id", _known_as_of("clients", "client_id")),),
        rules=(
            Rule("start_date > business_date", "start_date after the business date"),
            Rule("end_date < start_date", "end_date before start_date"),
            Rule("end_date > business_date", "end_date after the business date"),
            Rule(
                "product_code IN (SELECT product_code FROM reference.account_types)",
                "product held as an account: it comes from accounts.csv",
            ),
        ),
    ),
    "credit_facilities": CleaningSpec(
        CREDIT_FACILITIES,
        references=(
            Reference("client_id", _known_as_of("clients", "client_id")),
            Reference("account_id", _known_as_of("accounts", "account_id")),
        ),
        rules=(
            Rule("principal < 0", "negative principal"),
            Rule("instalment < 0", "negative instalment"),
            Rule("days_past_due < 0", "negative days_past_due"),
            Rule("start_date > business_date", "start_date after the business date"),
            Rule("maturity_date < start_date", "maturity_date before start_date"),
            Rule("status_since < start_date", "status_since before start_date"),
            Rule("status_since > business_date", "status_since after the business date"),
            Rule("interest_rate NOT BETWEEN -10 AND 100", "interest_rate out of range (percent per year, -10 to 100)"),
            Rule("status = 'repaid' AND days_past_due > 0", "repaid facility with days_past_due"),
            Rule(
                "product_code NOT IN (SELECT code FROM reference.products WHERE family = 'credit')",
                "product_code not a credit product (family credit in reference/products.csv)",
            ),
        ),
    ),
}
