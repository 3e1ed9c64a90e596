"""The star schema BI and models read: client, account, date and reference dimensions; transaction, event and balance facts."""

from riskhub_assets.lib.contract import CLIENTS, DIRECTIONS, MAX_AMOUNT, RELATIONSHIP_MANAGERS
from riskhub_assets.lib.sql_files import read_sql
from riskhub_assets.tables.landing import clean_column
from riskhub_assets.tables.spec import Column, Publish, Table

BIG = 1_000_000_000
"""Amounts beyond a billion are valid but unusual for a retail bank (often a value in the wrong unit): a warning."""
OWNER, GROUP = "team:data-engineering", "warehouse"
ACCOUNT = (
    Column("account_id", "VARCHAR", "Bank-internal account number."),
    Column("client_id", "VARCHAR", "Owning client."),
    Column("account_type", "VARCHAR", "Account type (reference.account_types)."),
    Column("currency", "VARCHAR", "Account currency, ISO 4217."),
)
"""What identifies an account, in dim_account and in its daily balances."""
INCOME_BANDS = ("under 20k", "20k-40k", "40k-70k", "70k-120k", "120k and over")
"""Declared gross annual income as the dimension and BI hold it (EUR); lib/sql/warehouse/dim_client.sql bands it."""
CLIENT_COLUMNS = (
    *(clean_column(c) for c in CLIENTS.columns if c.name not in ("birth_date", "annual_income")),
    Column("birth_year", "INTEGER", "Year of birth; empty when the bank sent no birth date.", personal=True),
    Column("income_band", "VARCHAR", "Declared gross annual income as a band; empty when not declared."),
    Column("first_seen_date", "DATE", "Business day the client was first sent."),
    Column("last_updated_date", "DATE", "Business day of the client's latest KYC record."),
)
"""The latest KYC record of a client: pseudonyms, birth kept to its year, income to its band."""
MANAGER = {c.name: clean_column(c) for c in RELATIONSHIP_MANAGERS.columns}
"""A relationship manager's columns as relationship_managers.csv defines them."""
DATE_COLUMNS = (
    Column("date", "DATE", "The calendar day."),
    Column("year", "BIGINT", "Calendar year."),
    Column("quarter", "BIGINT", "Calendar quarter, 1-4."),
    Column("month", "BIGINT", "Calendar month, 1-12."),
    Column("month_name", "VARCHAR", "Month name in English."),
    Column("day_of_month", "BIGINT", "Day of the month, 1-31."),
    Column("iso_day_of_week", "BIGINT", "ISO day of the week: 1 Monday to 7 Sunday."),
    Column("day_name", "VARCHAR", "Weekday name in English."),
    Column("is_weekend", "BOOLEAN", "Saturday or Sunday."),
    Column("month_start", "DATE", "First day of the month."),
    Column("month_end", "DATE", "Last day of the month."),
    Column("year_month", "VARCHAR", "Year and month as YYYY-MM."),
)
"""The calendar attributes of a day, as BI filters and groups by them."""


def _table(name: str, description: str, **declared) -> Table:
    return Table(f"warehouse.{name}", description, OWNER, GROUP, **declared)


def _code_list(name: str, key: str, what: str, codes: str, publish: Publish | None = None) -> Table:
    return _table(
        name,
        f"One row per {what} of the bank's reference list (reference.{codes}).",
        columns=(Column(key, "VARCHAR", f"The {what}."), Column("description", "VARCHAR", "What the code means.")),
        upstream=(f"reference.{codes}",),
        key=(key,),
        publish=publish,
    )


TABLES = (
    _table(
        "dim_client",
        "One row per client: the latest clean KYC record, personal data pseudonymised, birth date kept to its year"
        " and income to its band.",
        columns=CLIENT_COLUMNS,
        upstream=("clean.clients",),
        key=("client_id",),
        not_null=("country", "onboarding_date"),
        accepted={
            "segment": "reference.segments",
            "employment_status": "reference.employment_statuses",
            "income_band": INCOME_BANDS,
        },
        references={"manager_id": "warehouse.dim_manager.manager_id"},
        references_once_sent=("manager_id",),
        publish=Publish(
            "dims.client",
            read_sql("publish", "dims_client"),
            "Clients by client number with coarse attributes only: no names, contacts, birth dates or incomes; age"
            " and income as bands.",
            meanings={
                "age_band": "Age at today's date by decade, from the birth year (30 = 30-39); empty without one.",
                "onboarding_month": "Month the client became a client, as YYYY-MM.",
            },
        ),
        restricted=True,
    ),
    _table(
        "dim_account",
        "One row per account: its state in its latest record (a change record or a day of a full snapshot).",
        columns=(
            *ACCOUNT,
            Column("open_date", "DATE", "Date the account was opened."),
            Column("close_date", "DATE", "Date the account was closed; empty while open."),
            Column("limit_or_principal", "DECIMAL(18,2)", "Credit limit (card) or original principal (loan)."),
            Column("is_open", "BOOLEAN", "The account was open in its latest record."),
            Column("last_record_date", "DATE", "Business day of the account's latest record."),
        ),
        upstream=("clean.accounts",),
        key=("account_id",),
        not_null=("client_id", "account_type", "currency", "open_date"),
        accepted={"account_type": "reference.account_types", "currency": "reference.currencies"},
        references={"client_id": "warehouse.dim_client.client_id"},
    ),
    _table(
        "dim_date",
        "One row per calendar day 1900-2099, with year, quarter, month and weekday.",
        columns=DATE_COLUMNS,
        key=("date",),
        publish=Publish(
            "dims.date",
            "SELECT * FROM warehouse.dim_date WHERE date BETWEEN DATE '2000-01-01' AND DATE '2050-12-31'",
            "One row per calendar day 2000-2050, with year, quarter, month and weekday.",
        ),
    ),
    _code_list("dim_channel", "channel", "transaction channel code", "channels", Publish("dims.channel")),
    _code_list(
        "dim_merchant_category",
        "merchant_category",
        "ISO 18245 merchant category code",
        "merchant_categories",
        Publish("dims.merchant_category"),
    ),
    _code_list("dim_event_type", "event_type", "client or account event type", "event_types"),
    _table(
        "dim_product",
        "One row per product of the catalogue: family, name, and whether it is held as an account.",
        columns=(
            Column("product_code", "VARCHAR", "Product code of the catalogue."),
            Column("product_family", "VARCHAR", "Product family (accounts, savings, credit, insurance...)."),
            Column("product_name", "VARCHAR", "Product name as clients know it."),
            Column("held_as_account", "BOOLEAN", "Held as an account (from accounts.csv) rather than a contract."),
        ),
        upstream=("reference.products", "reference.account_types"),
        key=("product_code",),
        publish=Publish("dims.product", optional=True),
    ),
    _table(
        "dim_manager",
        "One row per relationship manager: branch, hire date and the latest monthly objective.",
        columns=(
            *(MANAGER[name] for name in ("manager_id", "agency_id", "hire_date", "monthly_sales_objective")),
            Column("first_seen_date", "DATE", "Business day the manager was first sent."),
            Column("last_snapshot_date", "DATE", "Business day of the manager's latest snapshot."),
            Column("is_active", "BOOLEAN", "The manager is in the latest snapshot of relationship_managers.csv."),
        ),
        upstream=("clean.relationship_managers",),
        key=("manager_id",),
        not_null=("agency_id", "hire_date", "monthly_sales_objective"),
        references={"agency_id": "warehouse.dim_agency.agency_id"},
        ranges={"monthly_sales_objective": ("0", None)},
        plausible={"monthly_sales_objective": (None, str(BIG))},
        publish=Publish(
            "dims.manager",
            "SELECT manager_id, agency_id, hire_date, monthly_sales_objective, is_active FROM warehouse.dim_manager",
            "Relationship managers by number, with branch and objective: no names.",
            optional=True,
        ),
    ),
    _table(
        "dim_agency",
        "One row per branch (agency): name, region and its managers' latest combined objective.",
        columns=(
            *(MANAGER[name] for name in ("agency_id", "agency_name", "region")),
            Column("active_managers", "BIGINT", "Managers of the branch in the latest snapshot."),
            Column(
                "monthly_sales_objective",
                "DECIMAL(38,2)",
                "Products the branch's active managers' clients are expected to take up this calendar month (sum of"
                " their objectives).",
            ),
        ),
        upstream=("clean.relationship_managers",),
        key=("agency_id",),
        not_null=("agency_name", "region"),
        accepted={"region": "reference.regions"},
        publish=Publish(optional=True, name="dims.agency"),
    ),
    _table(
        "fact_product_holdings",
        "One row per product holding, accounts included: client, product, adoption and closure dates (an"
        " accumulating snapshot, rebuilt whole).",
        columns=(
            Column("holding_id", "VARCHAR", "Holding reference: the contract number, or the account number."),
            Column("client_id", "VARCHAR", "Client holding the product."),
            Column("product_code", "VARCHAR", "Product held (reference.products)."),
            Column("adoption_date", "DATE", "Date the client took the product (account opening date for accounts)."),
            Column("closure_date", "DATE", "Date the holding ended; empty while held."),
            Column("is_held", "BOOLEAN", "The client still holds the product."),
            Column("source_system", "VARCHAR", "Where the holding comes from: product_system or accounts."),
            Column("account_id", "VARCHAR", "The account, for a holding that is one; else empty."),
        ),
        upstream=("clean.product_holdings", "warehouse.dim_account", "reference.account_types"),
        key=("holding_id",),
        not_null=("client_id", "product_code", "adoption_date", "source_system"),
        accepted={"product_code": "reference.products"},
        references={
            "client_id": "warehouse.dim_client.client_id",
            "product_code": "warehouse.dim_product.product_code",
            "account_id": "warehouse.dim_account.account_id",
        },
        publish=Publish(
            "facts.product_holdings",
            "SELECT holding_id, client_id, product_code, adoption_date, closure_date, is_held, source_system"
            " FROM warehouse.fact_product_holdings",
            "Every product holding, accounts included, with adoption and closure dates.",
            optional=True,
        ),
    ),
    _table(
        "fact_manager_objectives",
        "One row per relationship manager per month: the month's sales objective.",
        columns=(
            Column("month_start", "DATE", "First day of the month."),
            *(MANAGER[name] for name in ("manager_id", "agency_id", "monthly_sales_objective")),
        ),
        upstream=("clean.relationship_managers",),
        key=("month_start", "manager_id"),
        not_null=("agency_id", "monthly_sales_objective"),
        references={"manager_id": "warehouse.dim_manager.manager_id", "agency_id": "warehouse.dim_agency.agency_id"},
        ranges={"monthly_sales_objective": ("0", None)},
        plausible={"monthly_sales_objective": (None, str(BIG))},
    ),
    _table(
        "fact_transactions",
        "One row per booked transaction, with its client; partitioned by transaction date.",
        columns=(
            Column("transaction_id", "VARCHAR", "Unique transaction reference."),
            Column("transaction_date", "DATE", "Business day the transaction was booked on."),
            Column("transaction_ts", "TIMESTAMP", "Booking time, bank-local; empty when the bank sent no time of day."),
            Column("account_id", "VARCHAR", "Booked account."),
            Column(
                "client_id", "VARCHAR", "Client owning the account on that day (its latest record on or before it)."
            ),
            Column("amount", "DECIMAL(18,2)", "Amount, always positive, in the transaction currency."),
            Column("signed_amount", "DECIMAL(18,2)", "Amount with its sign: negative for a debit."),
            Column("currency", "VARCHAR", "Transaction currency, ISO 4217."),
            Column("direction", "VARCHAR", "debit (money out of the account) or credit (money in)."),
            Column("channel", "VARCHAR", "Channel the transaction came through."),
            Column(
                "merchant_category", "VARCHAR", "ISO 18245 merchant category code; empty without merchant or unknown."
            ),
            Column(
                "counterparty_country", "VARCHAR", "Counterparty's country, ISO 3166-1 alpha-2; empty when unknown."
            ),
            Column("hour_of_day", "INTEGER", "Hour of the booking time, 0-23; empty when the time is unknown."),
            Column(
                "amount_reporting",
                "DECIMAL(38,2)",
                "Amount in the reporting currency (reference.currencies) at the day's rate from fx_rates.csv.",
            ),
        ),
        upstream=("clean.transactions", "clean.accounts", "clean.fx_rates"),
        key=("transaction_id",),
        not_null=("transaction_date", "account_id", "client_id", "amount", "direction", "channel", "amount_reporting"),
        accepted={"direction": DIRECTIONS, "currency": "reference.currencies"},
        references={
            "account_id": "warehouse.dim_account.account_id",
            "client_id": "warehouse.dim_client.client_id",
            "channel": "warehouse.dim_channel.channel",
            "merchant_category": "warehouse.dim_merchant_category.merchant_category",
            "transaction_date": "warehouse.dim_date.date",
        },
        ranges={"amount": ("0.01", str(MAX_AMOUNT - 0.01)), "hour_of_day": ("0", "23")},
        partition_column="transaction_date",
        landed_from="transactions",
    ),
    _table(
        "fact_events",
        "One row per client or account life-cycle event; partitioned by event date.",
        columns=(
            Column("event_id", "VARCHAR", "Unique event reference."),
            Column("event_date", "DATE", "Business day the event happened on."),
            Column("event_ts", "TIMESTAMP", "When the event happened, bank-local."),
            Column("client_id", "VARCHAR", "Client concerned."),
            Column("account_id", "VARCHAR", "Account concerned, where there is one."),
            Column("event_type", "VARCHAR", "What happened (see dim_event_type)."),
            Column("amount", "DECIMAL(18,2)", "Amount due or missed, where relevant, in the account currency."),
        ),
        upstream=("clean.events",),
        key=("event_id",),
        not_null=("event_date", "event_ts", "client_id", "event_type"),
        references={
            "client_id": "warehouse.dim_client.client_id",
            "account_id": "warehouse.dim_account.account_id",
            "event_type": "warehouse.dim_event_type.event_type",
            "event_date": "warehouse.dim_date.date",
        },
        ranges={"amount": ("0", None)},
        plausible={"amount": (None, str(BIG))},
        partition_column="event_date",
        landed_from="events",
        volume=False,  # events cluster on due dates and month ends: daily swings are normal
    ),
    _table(
        "fact_account_balances",
        "One row per account per day with a balance sent for that day (balances.csv, else accounts.csv; never carried"
        " forward): end-of-day balance and limit; partitioned by snapshot date.",
        columns=(
            Column("snapshot_date", "DATE", "Business day of the end-of-day balance."),
            *ACCOUNT,
            Column("balance", "DECIMAL(18,2)", "End-of-day balance: positive held by the client, negative owed."),
            Column("limit_or_principal", "DECIMAL(18,2)", "Credit limit (card) or original principal (loan)."),
            Column("is_open", "BOOLEAN", "The account was open at the close of the day."),
            Column(
                "balance_reporting",
                "DECIMAL(38,2)",
                "Balance in the reporting currency at the day's rate from fx_rates.csv; empty when the account's"
                " currency had no rate within a week.",
            ),
        ),
        upstream=("clean.accounts", "clean.balances", "clean.fx_rates", "reference.currencies"),
        key=("snapshot_date", "account_id"),
        not_null=("client_id", "account_type", "balance"),
        references={
            "account_id": "warehouse.dim_account.account_id",
            "client_id": "warehouse.dim_client.client_id",
            "snapshot_date": "warehouse.dim_date.date",
        },
        plausible={"balance": (str(-BIG), str(BIG))},
        partition_column="snapshot_date",
        landed_from="accounts",
    ),
)
"""Every star-schema table, dimensions first."""
