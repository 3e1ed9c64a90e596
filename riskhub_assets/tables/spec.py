"""What a table declaration says: its grain, columns with their meaning, key, sources, data tests and publishing."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    """One column of a table: its DuckDB type and what it means to the business."""

    name: str
    type: str
    meaning: str = ""
    personal: bool = False  # describes a person (or is the pseudonym of what does): never previewed nor published


@dataclass(frozen=True)
class Publish:
    """How a table reaches BI: its name in the published database and, when not the whole table, the SELECT.

    A daily table's SELECT reads only business days $start..$end. `optional` tables are left out (and listed as
    such) while their source does not exist yet; `export` adds Parquet and daily CSV files beside the database.
    """

    name: str | None = None
    select: str | None = None
    description: str | None = None
    partition_column: str | None = None
    optional: bool = False
    export: bool = False
    parameters: dict = field(default_factory=dict)  # values its SELECT reads besides $start and $end
    source: str | None = None  # the declared table it comes from
    joined: tuple[str, ...] = ()  # declared tables its SELECT takes columns from besides its source
    meanings: dict[str, str] = field(default_factory=dict)  # what the columns its SELECT derives mean


@dataclass(frozen=True)
class Table:
    """One table of RiskHub, declared once: asset key, deps, docs, data tests and BI publishing derive from it."""

    name: str  # "schema.table"
    description: str  # its grain and what it holds, as the UI and the docs show it
    owner: str
    group: str
    columns: tuple[Column, ...] = ()  # declared when the table is typed up front; else read from the database
    upstream: tuple[str, ...] = ()  # assets its build reads ("schema.table" or "models.<model>")
    key: tuple[str, ...] = ()
    not_null: tuple[str, ...] = ()
    accepted: dict[str, tuple[str, ...] | str] = field(default_factory=dict)  # values, or a "reference.<list>"
    references: dict[str, str] = field(default_factory=dict)  # column -> "schema.table.column"
    references_once_sent: tuple[str, ...] = ()  # references into a table of an optional file: checked once it has rows
    ranges: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # inclusive SQL bounds
    patterns: dict[str, str] = field(default_factory=dict)  # column -> regular expression every value matches
    # Bounds of usual values, tested with a warning only: a value outside is valid under the landing contract (the
    # bank sent it) but worth a look; `ranges` may never be narrower than what the contract accepts.
    plausible: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    partition_column: str | None = None
    volume: bool = True  # partitioned tables: test each day's row count against the trailing days
    freshness: bool = True  # partitioned tables: test the latest business day is recent
    landed_from: str | None = None  # the landing file its rows come from: a day it landed rows must not be empty
    publish: Publish | None = None
    restricted: bool = False  # holds personal data in clear: no preview in the UI

    @property
    def personal_columns(self) -> tuple[str, ...]:
        """The declared columns that describe a person."""
        return tuple(c.name for c in self.columns if c.personal)

    @property
    def meanings(self) -> dict[str, str]:
        """What each declared column means, by its name."""
        return {c.name: c.meaning for c in self.columns}

    @property
    def schema(self) -> str:
        return self.name.split(".")[0]

    @property
    def short_name(self) -> str:
        return self.name.split(".")[1]

    @property
    def landing_file(self) -> str | None:
        """The landing file whose loaded days (with rows or not) date the table: its own for a raw table."""
        return self.short_name if self.schema == "raw" else self.landed_from

    @property
    def ddl_columns(self) -> str:
        """The declared columns as a CREATE TABLE column list."""
        return ", ".join(f"{c.name} {c.type}" for c in self.columns)

    @property
    def sources(self) -> tuple[str, ...]:
        """Every asset the table depends on: what its build reads, the tables its foreign keys point at and the code
        lists its values must be in."""
        referenced = (target.rsplit(".", 1)[0] for target in self.references.values())
        code_lists = (v for v in self.accepted.values() if isinstance(v, str))
        return tuple(dict.fromkeys(s for s in (*self.upstream, *referenced, *code_lists) if s != self.name))

    @property
    def published(self) -> Publish | None:
        """The BI publication with every default filled in from the table (same name, whole table or its days)."""
        if self.publish is None:
            return None
        p = self.publish
        partition = p.partition_column or (self.partition_column if p.select is None else None)
        where = f" WHERE {partition} BETWEEN $start AND $end" if partition and p.select is None else ""
        return Publish(
            name=p.name or self.name,
            select=p.select or f"SELECT * FROM {self.name}{where}",
            description=p.description if p.description is not None else self.description,
            partition_column=partition,
            optional=p.optional,
            export=p.export,
            parameters=p.parameters,
            source=self.name,
            joined=p.joined,
            meanings=p.meanings,
        )
