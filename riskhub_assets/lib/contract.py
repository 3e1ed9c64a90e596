"""The landing contract: the daily CSV files a producer writes for RiskHub to ingest them.

Only what the pipeline needs is required: keys, dates, amounts, balances, direction, channel and currency. A bank
may leave every other column empty (or out of the header) and may not send the optional files at all; what is not
sent becomes a missing value downstream (a missing feature, an empty table), never an invented one.
"""

from dataclasses import dataclass, field

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y%m%d")
"""Accepted date spellings, tried in order: ISO 8601 first, then the day-first European form, then compact."""

TIMESTAMP_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M:%S")
"""Accepted timestamp spellings (bank-local time), tried in order; an ISO 8601 timestamp may end with its offset
from UTC (`+02:00`, `Z`) and is then converted to the bank's time zone. Where a timestamp column is optional, a
date alone (one of DATE_FORMATS) is also accepted and means the time of day is unknown."""
TIMEZONE_VAR = "RISKHUB_BANK_TIMEZONE"
DEFAULT_TIMEZONE = "UTC"
"""The bank's time zone (an IANA name such as Europe/Paris) timestamps sent with an offset are converted into: UTC
unless RISKHUB_BANK_TIMEZONE says where the bank books; timestamps without an offset are bank-local as sent."""

DIRECTIONS = ("debit", "credit")
"""Which way money moved: part of the contract, not a bank's code list."""

FACILITY_STATUSES = {
    "performing": "Running and paid as agreed",
    "arrears": "Running with an amount past due, not (yet) in default",
    "default": "In default: 90 days past due on a material amount, or unlikely to pay (CRR Art. 178)",
    "repaid": "Ended, fully repaid",
    "written_off": "Ended unpaid: written off, charged off or sold as bad debt (a default)",
}
"""Where a credit facility stands; `default` and `written_off` are defaults (docs/default_definition.md)."""
DEFAULTED_STATUSES = ("default", "written_off")
DEFAULT_DAYS_PAST_DUE = 90
"""Days past due on a material amount from which a facility is in default (CRR Art. 178(1)(b))."""


@dataclass(frozen=True)
class Column:
    """One landing column: its type, unit, allowed values or code list, and whether it identifies or describes a person."""

    name: str
    type: str  # string | date | timestamp | decimal | rate (8 decimal places) | integer | flag
    description: str
    required: bool = True  # False: the value may be empty and the column may be left out of the header
    identifier: bool = False
    personal: bool = False
    allowed: tuple[str, ...] = ()
    codes: str = ""  # the reference list (reference/<codes>.csv) its values must be in
    unit: str = ""


def free_text(column: Column) -> bool:
    """A value written by people (a name, an address): the only kind that may hold a line break, inside quotes."""
    return column.type == "string" and not (column.identifier or column.allowed or column.codes or column.unit)


@dataclass(frozen=True)
class LandingFile:
    """One daily landing file: its name, grain, business key, columns in header order and whether it may be absent."""

    name: str
    grain: str
    key: str
    columns: tuple[Column, ...] = field(default_factory=tuple)
    optional: bool = False  # a bank may not send it: an absent file loads no rows (and says so)

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def has_personal_data(self) -> bool:
        return any(c.personal for c in self.columns)


CLIENTS = LandingFile(
    name="clients",
    grain="one row per client onboarded or whose KYC record changed that day (a full snapshot is also accepted)",
    key="client_id",
    columns=(
        Column("client_id", "string", "Bank-internal client number", identifier=True),
        Column("full_name", "string", "Client's full legal name", required=False, personal=True),
        Column(
            "birth_date", "date", "Date of birth; without it age is a missing feature", required=False, personal=True
        ),
        Column("address", "string", "Postal address, one line", required=False, personal=True),
        Column("country", "string", "Country of residence, ISO 3166-1 alpha-2", unit="ISO country"),
        Column("email", "string", "E-mail address", required=False, personal=True),
        Column("phone", "string", "Phone number, E.164", required=False, personal=True),
        Column("national_id", "string", "National identity number", required=False, personal=True),
        Column("annual_income", "decimal", "Declared gross annual income", required=False, personal=True, unit="EUR"),
        Column("employment_status", "string", "Employment status", required=False, codes="employment_statuses"),
        Column("segment", "string", "Commercial segment", required=False, codes="segments"),
        Column("onboarding_date", "date", "Date the client relationship began"),
        Column("kyc_review_date", "date", "Date of the last KYC review", required=False),
        Column("pep_flag", "flag", "Politically exposed person (1/0); empty when not screened", required=False),
        Column("sanctions_flag", "flag", "Hit on a sanctions list (1/0); empty when not screened", required=False),
        Column(
            "manager_id",
            "string",
            "Relationship manager in charge, where there is one; once relationship_managers files are sent it must"
            " be a manager already sent",
            required=False,
            identifier=True,
        ),
    ),
)

ACCOUNTS = LandingFile(
    name="accounts",
    grain="one row per account opened, changed or closed that day (a full end-of-day snapshot is also accepted: it is"
    " a change record for every account); an account's state on a day is its latest record on or before that day, and"
    " an account left out of a day's file keeps its state",
    key="account_id",
    columns=(
        Column("account_id", "string", "Bank-internal account number", identifier=True),
        Column("client_id", "string", "Owning client; must be a known client", identifier=True),
        Column("account_type", "string", "Product family", codes="account_types"),
        Column("currency", "string", "Account currency, ISO 4217", codes="currencies"),
        Column("open_date", "date", "Date the account was opened"),
        Column("close_date", "date", "Date the account was closed; empty while open", required=False),
        Column(
            "limit_or_principal",
            "decimal",
            "Credit limit (card), original principal (loan); empty for current and savings",
            required=False,
            unit="account currency",
        ),
        Column(
            "balance",
            "decimal",
            "End-of-day balance: positive = held by the client, negative = owed to the bank; may be left empty when"
            " balances come in balances.csv, which wins when both give one",
            required=False,
            unit="account currency",
        ),
    ),
)

TRANSACTIONS = LandingFile(
    name="transactions",
    grain="one row per booked transaction, booked that day",
    key="transaction_id",
    columns=(
        Column("transaction_id", "string", "Unique transaction reference", identifier=True),
        Column(
            "account_id",
            "string",
            "Booked account; must be known and open that day (its latest accounts record on or before the day)",
            identifier=True,
        ),
        Column(
            "timestamp",
            "timestamp",
            "Booking time, bank-local, within the file's day; a date alone or empty means the time is unknown"
            " (the booking day is the file's day)",
            required=False,
        ),
        Column("amount", "decimal", "Amount, strictly positive, below 1,000,000", unit="transaction currency"),
        Column("currency", "string", "Transaction currency, ISO 4217", codes="currencies"),
        Column("direction", "string", "debit = money out of the account, credit = money in", allowed=DIRECTIONS),
        Column("channel", "string", "Channel the transaction came through", codes="channels"),
        Column(
            "merchant_category",
            "string",
            "ISO 18245 merchant category code; empty when no merchant or not known (a card payment without one"
            " counts as unknown)",
            required=False,
            codes="merchant_categories",
        ),
        Column(
            "counterparty_country",
            "string",
            "Counterparty's country, ISO 3166-1 alpha-2; empty when not known",
            required=False,
            unit="ISO country",
        ),
    ),
)

EVENTS = LandingFile(
    name="events",
    grain="one row per client or account life-cycle event that happened that day",
    key="event_id",
    columns=(
        Column("event_id", "string", "Unique event reference", identifier=True),
        Column("client_id", "string", "Client concerned; must be a known client", identifier=True),
        Column(
            "account_id",
            "string",
            "Account concerned, where there is one; must be known and open that day",
            required=False,
            identifier=True,
        ),
        Column("timestamp", "timestamp", "When the event happened, bank-local, within the file's day"),
        Column(
            "event_type",
            "string",
            "What happened; RiskHub reads account_opened, account_closed, payment_due, payment_made,"
            " payment_missed, default and complaint",
            codes="event_types",
        ),
        Column("amount", "decimal", "Amount due or missed, where relevant", required=False, unit="account currency"),
    ),
)

BALANCES = LandingFile(
    name="balances",
    grain="optional; one row per account per day: its end-of-day balance. When sent, an account's balance on a day"
    " comes from here (it wins over accounts.csv's balance column); an account with no balance in either file on a"
    " day has no balance that day (none is carried forward)",
    key="account_id",
    optional=True,
    columns=(
        Column(
            "account_id",
            "string",
            "Account; must be known and open that day (its latest accounts record on or before the day)",
            identifier=True,
        ),
        Column(
            "balance",
            "decimal",
            "End-of-day balance: positive = held by the client, negative = owed to the bank",
            unit="account currency",
        ),
    ),
)

RELATIONSHIP_MANAGERS = LandingFile(
    name="relationship_managers",
    grain="end-of-day snapshot: one row per relationship manager employed that day, with their branch and objective"
    " (without it there are no manager or branch tables and no manager performance)",
    key="manager_id",
    optional=True,
    columns=(
        Column("manager_id", "string", "Bank-internal relationship-manager number", identifier=True),
        Column("agency_id", "string", "Branch (agency) the manager works in", identifier=True),
        Column("agency_name", "string", "Branch name"),
        Column("region", "string", "Sales region of the branch", codes="regions"),
        Column("hire_date", "date", "Date the manager took up the role"),
        Column(
            "monthly_sales_objective",
            "decimal",
            "Products the manager's clients are expected to take up this calendar month",
            unit="products",
        ),
    ),
)

PRODUCT_HOLDINGS = LandingFile(
    name="product_holdings",
    grain="one row per product holding that started or ended that day in the product system (deposits, mortgages,"
    " insurance, investments, packages; products held as accounts come from accounts.csv); a full snapshot is also"
    " accepted (without it only products held as accounts are known)",
    key="holding_id",
    optional=True,
    columns=(
        Column("holding_id", "string", "Bank-internal contract number", identifier=True),
        Column("client_id", "string", "Holding client; must be a known client", identifier=True),
        Column(
            "product_code",
            "string",
            "Product of the catalogue, not one held as an account (those come from accounts.csv)",
            codes="products",
        ),
        Column("start_date", "date", "Date the client took the product up"),
        Column("end_date", "date", "Date the holding ended; empty while held", required=False),
    ),
)

FX_RATES = LandingFile(
    name="fx_rates",
    grain="one row per currency whose rate into the reporting currency (the one marked in reference/currencies.csv)"
    " was fixed that day; a rate holds until the next one, for at most a week; not needed when every amount is in"
    " the reporting currency",
    key="currency",
    columns=(
        Column("currency", "string", "Currency the rate converts from, ISO 4217", codes="currencies"),
        Column(
            "rate", "rate", "Units of the reporting currency one unit of `currency` buys", unit="reporting currency"
        ),
    ),
    optional=True,
)

CREDIT_FACILITIES = LandingFile(
    name="credit_facilities",
    grain="one row per credit facility (loan, mortgage, card) whose terms or status changed that day, or that"
    " started or ended that day; a full daily snapshot is also accepted. Optional: a bank without it reads its"
    " defaults from default events only. A historical export lands once, on its export date, with each"
    " facility's outcome as of that date and `status_since` where the bank knows it",
    key="facility_id",
    optional=True,
    columns=(
        Column("facility_id", "string", "Bank-internal contract number of the facility", identifier=True),
        Column("client_id", "string", "Borrowing client; must be a known client", identifier=True),
        Column(
            "account_id",
            "string",
            "Account the facility is booked on, where there is one; must be a known account",
            required=False,
            identifier=True,
        ),
        Column("product_code", "string", "Credit product of the catalogue (family credit)", codes="products"),
        Column("currency", "string", "Facility currency, ISO 4217", codes="currencies"),
        Column("principal", "decimal", "Original principal (loan) or credit limit (card)", unit="facility currency"),
        Column("start_date", "date", "Date the facility was granted (first drawdown)"),
        Column("maturity_date", "date", "Contractual end date; empty for revolving credit", required=False),
        Column(
            "instalment",
            "decimal",
            "Scheduled periodic repayment; empty for revolving credit",
            required=False,
            unit="facility currency",
        ),
        Column("interest_rate", "decimal", "Nominal interest rate", required=False, unit="percent per year"),
        Column("status", "string", "Where the facility stands", allowed=tuple(FACILITY_STATUSES)),
        Column(
            "days_past_due",
            "integer",
            "Days since the oldest unpaid material amount fell due, counted as the bank counts them for CRR"
            " Art. 178 (materiality threshold applied); 0 when nothing is past due, empty when unknown",
            required=False,
            unit="days",
        ),
        Column("default_flag", "flag", "The bank's own default flag (1/0)", required=False),
        Column(
            "unlikely_to_pay",
            "flag",
            "The bank judges the client unlikely to pay in full without realising collateral (1/0)",
            required=False,
        ),
        Column(
            "status_since",
            "date",
            "Date the facility entered its status, where known; for a historical outcome whose exact date is"
            " unknown, the date the bank knew it by (e.g. the end of the contract); empty: the business day",
            required=False,
        ),
    ),
)

LANDING_FILES: tuple[LandingFile, ...] = (
    FX_RATES,
    RELATIONSHIP_MANAGERS,
    CLIENTS,
    ACCOUNTS,
    BALANCES,
    TRANSACTIONS,
    EVENTS,
    PRODUCT_HOLDINGS,
    CREDIT_FACILITIES,
)
"""Every landing file, each after the files its keys refer to."""
MAX_AMOUNT = 1_000_000
