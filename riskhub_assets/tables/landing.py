"""Raw and clean tables of the landing files: derived from the landing contract, one trio per file."""

from riskhub_assets.lib.cleaning import CLEAN_TYPES, clean_column_name, kept_to_month, pseudonymised
from riskhub_assets.lib.cleaning_specs import CLEANING_SPECS, CleaningSpec
from riskhub_assets.lib.contract import LANDING_FILES, LandingFile
from riskhub_assets.lib.contract import Column as ContractColumn
from riskhub_assets.lib.sql_reads import tables_read
from riskhub_assets.tables.spec import Column, Table

OWNER = "team:data-engineering"
STEADY_VOLUME = {"transactions"}
"""Landing files whose daily row count is steady enough to test against the trailing days (clients, accounts and
events come in bursts: the first load, change records, due dates, month ends)."""
BUSINESS_DATE = Column("business_date", "DATE", "Business day of the landing file the row came from.")
LINEAGE = (
    Column("_file", "VARCHAR", "Landing file the row came from."),
    Column("_row_number", "BIGINT", "Line of the landing file."),
)
LOADED_AT = Column("_loaded_at", "TIMESTAMP", "When the row was loaded.")
LANDING_LOADS = Table(
    "raw.landing_loads",
    "One row per landing file and business day loaded, with its row count even when it had none: how recent each"
    " file is (bookkeeping of the raw loads, not an asset).",
    OWNER,
    "raw",
    columns=(
        Column("landing_file", "VARCHAR", "Landing file, by its contract name (docs/landing_contract.md)."),
        BUSINESS_DATE,
        Column("_file", "VARCHAR", "Path of the landing file loaded."),
        Column("rows", "BIGINT", "Rows loaded into the raw table."),
        Column("rejected", "BIGINT", "Lines that could not be parsed, kept in the file's rejects table."),
        LOADED_AT,
    ),
)


def rejects_table(spec: LandingFile) -> Table:
    """The lines of one landing file that could not be parsed, each with why (bookkeeping of its raw table)."""
    return Table(
        f"raw.{spec.name}_rejects",
        f"One row per line of {spec.filename} that could not be parsed, with the reason; the parsed lines are in"
        f" raw.{spec.name}.",
        OWNER,
        "raw",
        columns=(
            BUSINESS_DATE,
            *LINEAGE,
            Column("error_type", "VARCHAR", "Kind of parse error."),
            Column("reason", "VARCHAR", "Why the line could not be parsed, in words."),
            Column("record", "VARCHAR", "The line as landed."),
            LOADED_AT,
        ),
        restricted=spec.has_personal_data,
    )


def raw_table(spec: LandingFile) -> Table:
    """The raw table of one landing file: every column as landed (text), with file, line and load time."""
    return Table(
        f"raw.{spec.name}",
        f"{spec.filename} as landed (all text), with file, line number and load time; unparseable lines"
        f" are kept in raw.{spec.name}_rejects."
        + (" Restricted: holds personal data in clear." if spec.has_personal_data else ""),
        OWNER,
        "raw",
        columns=(
            *(Column(c.name, "VARCHAR", f"{c.description}, as landed.", c.personal) for c in spec.columns),
            BUSINESS_DATE,
            *LINEAGE,
            LOADED_AT,
        ),
        upstream=(f"landing.{spec.name}", *(("reference.holidays",) if spec.name in STEADY_VOLUME else ())),
        partition_column="business_date",
        volume=spec.name in STEADY_VOLUME,
        restricted=spec.has_personal_data,
    )


def clean_column(column: ContractColumn) -> Column:
    """A landing column as the clean layer holds it: typed, pseudonymised or kept to its month, marked if personal."""
    return Column(
        clean_column_name(column),
        "VARCHAR" if pseudonymised(column) else CLEAN_TYPES[column.type],
        column.description + (", kept to its month" if kept_to_month(column) else ""),
        column.personal,
    )


def _clean_upstream(spec: CleaningSpec) -> tuple[str, ...]:
    """What cleaning a landing file reads: its raw table, and the tables its references and rules look keys up in
    (clean tables of other files, which must be cleaned first, and code lists)."""
    read = set().union(*(tables_read(query) for query in spec.queries)) - {f"clean.{spec.name}"}
    return (f"raw.{spec.name}", *sorted(read))


def clean_table(spec: CleaningSpec) -> Table:
    """The clean table of one landing file: typed, standardised, deduplicated and pseudonymised."""
    columns = spec.landing.columns
    personal = [c.name for c in columns if pseudonymised(c)]
    monthly = [c.name for c in columns if kept_to_month(c)]
    return Table(
        f"clean.{spec.name}",
        f"{spec.name.capitalize()} typed, with codes and dates standardised and exact duplicates removed; one row"
        " per valid record."
        + (f" {', '.join(personal)} replaced by keyed HMAC-SHA256 pseudonyms." if personal else "")
        + (f" {', '.join(monthly)} kept to the month (its first day)." if monthly else ""),
        OWNER,
        "clean",
        columns=(
            BUSINESS_DATE,
            *(clean_column(c) for c in columns),
            *LINEAGE,
        ),
        upstream=_clean_upstream(spec),
        key=("business_date", spec.landing.key),
        not_null=tuple(clean_column_name(c) for c in columns if c.required and c.name != spec.landing.key),
        accepted={c.name: c.allowed or f"reference.{c.codes}" for c in columns if c.allowed or c.codes},
        partition_column="business_date",
        volume=False,
        freshness=False,
        restricted=any(c.personal and not pseudonymised(c) for c in columns),
    )


def quarantine_table(spec: CleaningSpec) -> Table:
    """The quarantine of one landing file: every rejected record with its stage and reasons."""
    return Table(
        f"clean.{spec.name}_quarantine",
        f"One row per rejected {spec.name} record: file, line, stage (parse or validation) and every reason it was"
        " rejected.",
        OWNER,
        "clean",
        columns=(
            BUSINESS_DATE,
            *LINEAGE,
            Column(
                "stage", "VARCHAR", "parse (the line could not be read) or validation (a value broke the contract)."
            ),
            Column("reason", "VARCHAR", "Every reason the record was rejected."),
            Column("record", "VARCHAR", "The record as landed, personal fields left out."),
        ),
        upstream=_clean_upstream(spec),
        partition_column="business_date",
        volume=False,
        freshness=False,
    )


RAW = tuple(raw_table(spec) for spec in LANDING_FILES)
CLEAN = tuple(clean_table(spec) for spec in CLEANING_SPECS.values())
QUARANTINE = tuple(quarantine_table(spec) for spec in CLEANING_SPECS.values())
TABLES = (*RAW, *CLEAN, *QUARANTINE)
"""Every raw, clean and quarantine table, in the landing contract's order."""
