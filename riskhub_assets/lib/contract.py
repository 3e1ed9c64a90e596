"""The landing contract: the daily CSV files a producer writes for RiskHub to ingest them (six required, one optional)."""

from dataclasses import dataclass, field

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y%m%d")
"""Accepted date spellings, tried in order: ISO 8601 first, then the day-first European form, then compact."""

TIMESTAMP_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M:%S")
"""Accepted timestamp spellings (bank-local time, no zone), tried in order."""

CURRENCIES = ("EUR", "USD", "GBP", "CHF")
ACCOUNT_TYPES = ("current", "savings", "card", "loan")
SEGMENTS = ("mass", "affluent", "private")
EMPLOYMENT_STATUSES = ("employed", "self_employed", "unemployed", "retired", "student")
DIRECTIONS = ("debit", "credit")
CHANNELS = {
    "pos": "Card payment at a point of sale",
    "ecommerce": "Card payment online",
    "atm": "Cash at an ATM",
    "branch": "Over the counter in a branch",
    "mobile": "Mobile banking app",
    "internet": "Internet banking",
    "direct_debit": "Direct debit collected by a creditor",
    "transfer": "Incoming or standing-order transfer",
}
MERCHANT_CATEGORIES = {
    "4111": "Transport and commuting",
    "4511": "Airlines",
    "4814": "Telecommunications",
    "4829": "Money transfer / wire",
    "4900": "Utilities",
    "5311": "Department stores",
    "5411": "Grocery stores and supermarkets",
    "5541": "Service stations (fuel)",
    "5661": "Shoe stores",
    "5691": "Clothing stores",
    "5732": "Electronics stores",
    "5812": "Restaurants",
    "5912": "Pharmacies",
    "5944": "Jewellery and watches",
    "5967": "Direct marketing",
    "5999": "Miscellaneous retail",
    "6011": "Cash withdrawal",
    "6051": "Quasi-cash and crypto",
    "7011": "Hotels and lodging",
    "7995": "Gambling",
}
REGIONS = ("north", "south", "east", "west", "capital")
PRODUCTS = {
    "current_account": ("accounts", "Current account"),
    "savings_account": ("savings", "Instant-access savings account"),
    "credit_card": ("credit", "Credit card"),
    "personal_loan": ("credit", "Personal loan"),
    "mortgage": ("credit", "Residential mortgage"),
    "term_deposit": ("savings", "Fixed-term deposit"),
    "investment_fund": ("investments", "Investment fund"),
    "brokerage_account": ("investments", "Brokerage (self-directed trading) account"),
    "pension_plan": ("investments", "Personal pension plan"),
    "home_insurance": ("insurance", "Home insurance"),
    "car_insurance": ("insurance", "Car insurance"),
    "travel_insurance": ("insurance", "Travel insurance"),
    "life_insurance": ("insurance", "Life insurance"),
    "premium_package": ("services", "Premium banking package"),
}
"""The bank's product catalogue: product code -> (family, name)."""
ACCOUNT_PRODUCTS = {
    "current": "current_account",
    "savings": "savings_account",
    "card": "credit_card",
    "loan": "personal_loan",
}
"""Products held as accounts (accounts.csv), by account type; every other product comes from product_holdings.csv."""
PRODUCT_SYSTEM_PRODUCTS = tuple(p for p in PRODUCTS if p not in ACCOUNT_PRODUCTS.values())
EVENT_TYPES = {
    "account_opened": "An account was opened",
    "account_closed": "An account was closed",
    "payment_due": "An instalment or card repayment fell due",
    "payment_made": "A due payment was made on time",
    "payment_missed": "A due payment was missed",
    "default": "The client defaulted (90+ days past due)",
    "kyc_review": "A periodic know-your-customer review took place",
    "complaint": "The client filed a complaint",
    "address_change": "The client changed address",
}
FACILITY_PRODUCTS = tuple(code for code, (family, _) in PRODUCTS.items() if family == "credit")
"""Products a credit facility can be: the catalogue's credit family."""
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
    """One landing column: its type, unit, allowed values and whether it identifies or describes a person."""

    name: str
    type: str  # string | date | timestamp | decimal | integer | flag
    description: str
    required: bool = True
    identifier: bool = False
    personal: bool = False
    allowed: tuple[str, ...] = ()
    unit: str = ""


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
        Column("full_name", "string", "Client's full legal name", personal=True),
        Column("birth_date", "date", "Date of birth", personal=True),
        Column("address", "string", "Postal address, one line", personal=True),
        Column("country", "string", "Country of residence, ISO 3166-1 alpha-2", unit="ISO country"),
        Column("email", "string", "E-mail address", required=False, personal=True),
        Column("phone", "string", "Phone number, E.164", required=False, personal=True),
        Column("national_id", "string", "National identity number", personal=True),
        Column("annual_income", "decimal", "Declared gross annual income", required=False, unit="EUR"),
        Column("employment_status", "string", "Employment status", allowed=EMPLOYMENT_STATUSES),
        Column("segment", "string", "Commercial segment", allowed=SEGMENTS),
        Column("onboarding_date", "date", "Date the client relationship began"),
        Column("kyc_review_date", "date", "Date of the last KYC review", required=False),
        Column("pep_flag", "flag", "Politically exposed person (1/0)"),
        Column("sanctions_flag", "flag", "Hit on a sanctions list (1/0)"),
        Column(
            "manager_id",
            "string",
            "Relationship manager in charge; must be in that day's relationship_managers file",
            identifier=True,
        ),
    ),
)

ACCOUNTS = LandingFile(
    name="accounts",
    grain="end-of-day snapshot: one row per account open at any time that day",
    key="account_id",
    columns=(
        Column("account_id", "string", "Bank-internal account number", identifier=True),
        Column("client_id", "string", "Owning client; must be a known client", identifier=True),
        Column("account_type", "string", "Product family", allowed=ACCOUNT_TYPES),
        Column("currency", "string", "Account currency, ISO 4217", allowed=CURRENCIES),
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
            "End-of-day balance: positive = held by the client, negative = owed to the bank",
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
        Column("account_id", "string", "Booked account; must be in that day's accounts file", identifier=True),
        Column("timestamp", "timestamp", "Booking time, bank-local, within the file's day"),
        Column("amount", "decimal", "Amount, strictly positive, below 1,000,000", unit="transaction currency"),
        Column("currency", "string", "Transaction currency, ISO 4217", allowed=CURRENCIES),
        Column("direction", "string", "debit = money out of the account, credit = money in", allowed=DIRECTIONS),
        Column("channel", "string", "Channel the transaction came through", allowed=tuple(CHANNELS)),
        Column(
            "merchant_category",
            "string",
            "ISO 18245 merchant category code; empty when no merchant",
            required=False,
            allowed=tuple(MERCHANT_CATEGORIES),
        ),
        Column("counterparty_country", "string", "Counterparty's country, ISO 3166-1 alpha-2", unit="ISO country"),
    ),
)

EVENTS = LandingFile(
    name="events",
    grain="one row per client or account life-cycle event that happened that day",
    key="event_id",
    columns=(
        Column("event_id", "string", "Unique event reference", identifier=True),
        Column("client_id", "string", "Client concerned; must be a known client", identifier=True),
        Column("account_id", "string", "Account concerned, where there is one", required=False, identifier=True),
        Column("timestamp", "timestamp", "When the event happened, bank-local, within the file's day"),
        Column("event_type", "string", "What happened", allowed=tuple(EVENT_TYPES)),
        Column("amount", "decimal", "Amount due or missed, where relevant", required=False, unit="account currency"),
    ),
)

RELATIONSHIP_MANAGERS = LandingFile(
    name="relationship_managers",
    grain="end-of-day snapshot: one row per relationship manager employed that day, with their branch and objective",
    key="manager_id",
    columns=(
        Column("manager_id", "string", "Bank-internal relationship-manager number", identifier=True),
        Column("agency_id", "string", "Branch (agency) the manager works in", identifier=True),
        Column("agency_name", "string", "Branch name"),
        Column("region", "string", "Sales region of the branch", allowed=REGIONS),
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
    " accepted",
    key="holding_id",
    columns=(
        Column("holding_id", "string", "Bank-internal contract number", identifier=True),
        Column("client_id", "string", "Holding client; must be a known client", identifier=True),
        Column("product_code", "string", "Product of the catalogue", allowed=PRODUCT_SYSTEM_PRODUCTS),
        Column("start_date", "date", "Date the client took the product up"),
        Column("end_date", "date", "Date the holding ended; empty while held", required=False),
    ),
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
        Column("product_code", "string", "Product of the catalogue", allowed=FACILITY_PRODUCTS),
        Column("currency", "string", "Facility currency, ISO 4217", allowed=CURRENCIES),
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
    RELATIONSHIP_MANAGERS,
    CLIENTS,
    ACCOUNTS,
    TRANSACTIONS,
    EVENTS,
    PRODUCT_HOLDINGS,
    CREDIT_FACILITIES,
)
"""Every landing file, each after the files its keys refer to."""
MAX_AMOUNT = 1_000_000
