"""Credit facilities in the star schema, and the defaults read from them and from default events."""

from riskhub_assets.lib.contract import DEFAULT_DAYS_PAST_DUE, FACILITY_STATUSES
from riskhub_assets.tables.spec import Column, Table
from riskhub_assets.tables.warehouse import BIG, GROUP, OWNER

TABLES = (
    Table(
        "warehouse.fact_credit_facility",
        "One row per credit facility per business day it was reported (a change or a daily snapshot): terms,"
        " status, days past due and whether it meets the default definition; partitioned by snapshot date.",
        columns=(
            Column("snapshot_date", "DATE", "Business day the facility was reported on."),
            Column("facility_id", "VARCHAR", "Bank-internal contract number of the facility."),
            Column("client_id", "VARCHAR", "Borrowing client."),
            Column("account_id", "VARCHAR", "Account the facility is booked on, where there is one."),
            Column("product_code", "VARCHAR", "Product of the catalogue (credit family)."),
            Column("currency", "VARCHAR", "Facility currency, ISO 4217."),
            Column("principal", "DECIMAL(18,2)", "Original principal (loan) or credit limit (card)."),
            Column("start_date", "DATE", "Date the facility was granted."),
            Column("maturity_date", "DATE", "Contractual end date; empty for revolving credit."),
            Column("instalment", "DECIMAL(18,2)", "Scheduled periodic repayment; empty for revolving credit."),
            Column("interest_rate", "DECIMAL(18,2)", "Nominal interest rate, percent per year."),
            Column("status", "VARCHAR", f"Where the facility stands: {', '.join(FACILITY_STATUSES)}."),
            Column("days_past_due", "INTEGER", "Days since the oldest unpaid material amount fell due."),
            Column("default_flag", "BOOLEAN", "The bank's own default flag."),
            Column("unlikely_to_pay", "BOOLEAN", "The bank judges the client unlikely to pay."),
            Column("status_since", "DATE", "Date the facility entered its status, where the bank knows it."),
            Column(
                "in_default",
                "BOOLEAN",
                f"The report meets the default definition: {DEFAULT_DAYS_PAST_DUE}+ days past due, default flag,"
                " unlikely to pay, or status default or written_off (docs/default_definition.md).",
            ),
        ),
        upstream=("clean.credit_facilities",),
        key=("snapshot_date", "facility_id"),
        not_null=("client_id", "product_code", "currency", "principal", "start_date", "status", "in_default"),
        accepted={
            "product_code": "reference.products",
            "status": tuple(FACILITY_STATUSES),
            "currency": "reference.currencies",
        },
        references={
            "client_id": "warehouse.dim_client.client_id",
            "account_id": "warehouse.dim_account.account_id",
            "product_code": "warehouse.dim_product.product_code",
            "snapshot_date": "warehouse.dim_date.date",
        },
        ranges={"principal": ("0", None), "days_past_due": ("0", None)},
        plausible={"principal": (None, str(BIG))},
        partition_column="snapshot_date",
        volume=False,  # an optional file, and change records come in bursts
        freshness=False,  # a bank may never send it
        owner=OWNER,
        group=GROUP,
    ),
    Table(
        "warehouse.fact_defaults",
        "One row per client and day on which a default began (CRR Art. 178: 90 days past due or unlikely to pay),"
        " with the day it was first reported and its evidence: default events, facilities' days past due, default"
        " flags, unlikely-to-pay flags and defaulted statuses (rebuilt whole).",
        columns=(
            Column("client_id", "VARCHAR", "Defaulted client."),
            Column("default_date", "DATE", "Day the default began, as best the evidence dates it."),
            Column("reported_date", "DATE", "Business day the default was first reported (known from)."),
            Column("evidence", "VARCHAR", "What showed the default, e.g. 'default event; days past due'."),
        ),
        upstream=("warehouse.fact_credit_facility", "warehouse.fact_events"),
        key=("client_id", "default_date"),
        not_null=("reported_date", "evidence"),
        references={"client_id": "warehouse.dim_client.client_id"},
        owner=OWNER,
        group=GROUP,
    ),
)
"""Credit facilities and the defaults read from them and from default events."""
