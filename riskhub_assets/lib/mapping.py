"""A bank's export described, not coded: one TOML mapping per landing file from the bank's file to the contract's."""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from riskhub_assets.lib.contract import LANDING_FILES, LandingFile

MAPPING_DIR_VAR = "RISKHUB_MAPPING_DIR"
ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "utf-16": "utf-16", "latin-1": "latin-1", "iso-8859-1": "latin-1"}
"""Encodings DuckDB's CSV reader decodes, by the names a mapping may give them."""
DECIMAL_MARKS = (".", ",")
THOUSANDS_MARKS = ("", ".", ",", " ", "'")
KEYS = (
    "file",
    "delimiter",
    "quote",
    "decimal",
    "thousands",
    "encoding",
    "date_formats",
    "timestamp_formats",
    "columns",
    "codes",
    "constants",
)
"""Every key a mapping file may hold."""


class MappingError(Exception):
    """A mapping file is not valid: the export it describes cannot be loaded until the file is fixed."""


@dataclass(frozen=True)
class SourceMapping:
    """How one file of the bank's export becomes one landing file of the contract."""

    landing: LandingFile
    source: Path
    file: str
    delimiter: str = ","
    quote: str = '"'
    decimal: str = "."
    thousands: str = ""
    encoding: str = "utf-8"
    date_formats: tuple[str, ...] = ()
    timestamp_formats: tuple[str, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)


def _fail(source: Path, key: str, problem: str) -> MappingError:
    return MappingError(f"mapping {source}: {key}: {problem}")


def _one_of(source: Path, key: str, value, allowed) -> None:
    if value not in allowed:
        raise _fail(source, key, f"{value!r} is not one of {', '.join(repr(a) for a in allowed)}")


def _text(source: Path, key: str, value, single_char: bool = False) -> str:
    if not isinstance(value, str) or not value or (single_char and len(value) != 1):
        raise _fail(source, key, f"expected {'one character' if single_char else 'a non-empty text'}, got {value!r}")
    return value


def _formats(source: Path, key: str, value) -> tuple[str, ...]:
    """Date or timestamp formats (strptime codes such as %d.%m.%Y), tried in order."""
    formats = [value] if isinstance(value, str) else value
    if not isinstance(formats, list) or not formats or not all(isinstance(f, str) and "%" in f for f in formats):
        raise _fail(source, key, f"expected a format such as '%d.%m.%Y' or a list of them, got {value!r}")
    return tuple(formats)


def _table(source: Path, key: str, value, landing: LandingFile) -> dict:
    """A table keyed by contract columns of `landing`."""
    if not isinstance(value, dict):
        raise _fail(source, key, f"expected a table [{key}], got {value!r}")
    unknown = [name for name in value if name not in landing.header]
    if unknown:
        raise _fail(source, f"{key}.{unknown[0]}", f"not a column of {landing.filename} ({', '.join(landing.header)})")
    return value


def _codes(source: Path, value, landing: LandingFile, columns: dict[str, str]) -> dict[str, dict[str, str]]:
    """Code translations per contract column: bank code -> RiskHub code."""
    codes = _table(source, "codes", value, landing)
    for name, translations in codes.items():
        if name not in columns:
            raise _fail(source, f"codes.{name}", "translates a column the mapping does not read ([columns])")
        if not isinstance(translations, dict) or not all(isinstance(v, str) for v in translations.values()):
            raise _fail(source, f"codes.{name}", 'expected a table of bank code = "RiskHub code" texts')
    return codes


def _check_columns(source: Path, landing: LandingFile, columns: dict, constants: dict) -> None:
    """Every contract column read from one place at most; every required one read or given a constant."""
    for name, bank_column in columns.items():
        _text(source, f"columns.{name}", bank_column)
    both = [name for name in columns if name in constants]
    if both:
        raise _fail(source, f"constants.{both[0]}", "also read from a bank column in [columns]: keep one")
    for column in landing.columns:
        if column.required and column.name not in columns and column.name not in constants:
            raise _fail(
                source,
                f"columns.{column.name}",
                "required by the contract: map it to a bank column or give it a value in [constants]",
            )


def parse_mapping(source: Path, landing: LandingFile, document: dict) -> SourceMapping:
    """A validated mapping from the parsed TOML document of `source`, or an error naming the file and the key."""
    unknown = [key for key in document if key not in KEYS]
    if unknown:
        raise _fail(source, unknown[0], f"unknown key (expected one of {', '.join(KEYS)})")
    if "file" not in document:
        raise _fail(source, "file", "missing: the name of the bank's file within the day folder")
    columns = _table(source, "columns", document.get("columns", {}), landing)
    constants = {k: str(v) for k, v in _table(source, "constants", document.get("constants", {}), landing).items()}
    _check_columns(source, landing, columns, constants)
    mapping = SourceMapping(
        landing=landing,
        source=source,
        file=_text(source, "file", document["file"]),
        delimiter=_text(source, "delimiter", document.get("delimiter", ","), single_char=True),
        quote=_text(source, "quote", document.get("quote", '"'), single_char=True),
        decimal=document.get("decimal", "."),
        thousands=document.get("thousands", ""),
        encoding=ENCODINGS.get(str(document.get("encoding", "utf-8")).lower(), ""),
        date_formats=_formats(source, "date_formats", document["date_formats"]) if "date_formats" in document else (),
        timestamp_formats=_formats(source, "timestamp_formats", document["timestamp_formats"])
        if "timestamp_formats" in document
        else (),
        columns=columns,
        codes=_codes(source, document.get("codes", {}), landing, columns),
        constants=constants,
    )
    _one_of(source, "decimal", mapping.decimal, DECIMAL_MARKS)
    _one_of(source, "thousands", mapping.thousands, [m for m in THOUSANDS_MARKS if m != mapping.decimal])
    if not mapping.encoding:
        _one_of(source, "encoding", document["encoding"], tuple(ENCODINGS))
    return mapping


def read_mapping(source: Path, landing: LandingFile) -> SourceMapping:
    """The mapping file `source` for `landing`, read and validated."""
    try:
        document = tomllib.loads(source.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise MappingError(f"mapping {source}: not valid TOML: {error}") from error
    return parse_mapping(source, landing, document)


def load_mappings(folder: Path | None) -> dict[str, SourceMapping]:
    """The mapping of each landing file the folder describes (`<landing file>.toml`); none without a folder."""
    if folder is None:
        return {}
    if not folder.is_dir():
        raise MappingError(f"mapping folder {folder} does not exist: fix {MAPPING_DIR_VAR} or --mapping")
    by_name = {landing.name: landing for landing in LANDING_FILES}
    mappings = {}
    for source in sorted(folder.glob("*.toml")):
        if source.stem not in by_name:
            raise MappingError(
                f"mapping {source}: no landing file {source.stem!r}: name it after one of {', '.join(by_name)}"
            )
        mappings[source.stem] = read_mapping(source, by_name[source.stem])
    return mappings
