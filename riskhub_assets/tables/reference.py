"""Reference tables: the bank's code lists, each loaded whole from its versioned file in the reference folder."""

from riskhub_assets.tables.spec import Column, Table

OWNER, GROUP = "team:data-engineering", "reference"
CODE = Column("code", "VARCHAR", "The code as it appears in landing files (matched ignoring case).")
DESCRIPTION = Column("description", "VARCHAR", "What the code means.")
VERSION = Column("_version", "VARCHAR", "Version of the reference file loaded: the start of its SHA-256.")


def _code_list(name: str, what: str, *extra: Column, **declared) -> Table:
    return Table(
        f"reference.{name}",
        f"One row per {what} the bank uses, from {name}.csv in the reference folder (RISKHUB_REFERENCE_DIR);"
        " landing values outside it are quarantined.",
        OWNER,
        GROUP,
        columns=(CODE, DESCRIPTION, *extra, VERSION),
        key=("code",),
        not_null=tuple(c.name for c in (DESCRIPTION, *extra)),
        **declared,
    )


TABLES = (
    _code_list(
        "currencies",
        "ISO 4217 currency",
        Column(
            "reporting", "VARCHAR", "1 for the one currency amounts are reported in (fx_rates.csv converts into it)."
        ),
        accepted={"reporting": ("0", "1")},
        patterns={"code": "[A-Z]{3}"},
    ),
    _code_list("channels", "channel a transaction can come through"),
    _code_list("merchant_categories", "ISO 18245 merchant category code", patterns={"code": "[0-9]{4}"}),
    _code_list("event_types", "client or account event type"),
    _code_list("regions", "sales region of the branches"),
    _code_list("segments", "commercial client segment"),
    _code_list("employment_statuses", "employment status"),
    _code_list("products", "product of the catalogue", Column("family", "VARCHAR", "Product family.")),
    Table(
        "reference.holidays",
        "One row per bank holiday: a day the bank books nothing (code: the date, YYYY-MM-DD), from holidays.csv in the"
        " reference folder (RISKHUB_REFERENCE_DIR); a holiday's transactions may be few or none, any other day's may"
        " not fall below RISKHUB_MIN_VOLUME_SHARE of the trailing average.",
        OWNER,
        GROUP,
        columns=(CODE, DESCRIPTION, VERSION),
        key=("code",),
        not_null=("description",),
        patterns={"code": "[0-9]{4}-[0-9]{2}-[0-9]{2}"},
    ),
    _code_list(
        "account_types",
        "account type of accounts.csv",
        Column("product_code", "VARCHAR", "The catalogue product an account of this type is."),
        references={"product_code": "reference.products.code"},
    ),
)
"""Every code list, in the order they load (products before the account types that point at them)."""


def header(table: Table) -> list[str]:
    """The columns a reference file holds, in order: the table's columns but the load version."""
    return [c.name for c in table.columns if c is not VERSION]
