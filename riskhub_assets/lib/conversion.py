"""Turning a mapped bank file's values into the contract's canonical text, in DuckDB SQL.

A value that does not convert or translate stays exactly as landed, so cleaning quarantines it with its reason.
"""

from riskhub_assets.lib.contract import Column
from riskhub_assets.lib.mapping import SourceMapping
from riskhub_assets.lib.sqltext import identifier, literal

ISO_DATE = "%Y-%m-%d"
ISO_TIMESTAMP = "%Y-%m-%dT%H:%M:%S"


def translated(value: str, codes: dict[str, str]) -> str:
    """The RiskHub code of a bank code; an unknown code as landed."""
    cases = " ".join(f"WHEN {literal(bank)} THEN {literal(ours)}" for bank, ours in codes.items())
    return f"CASE trim({value}) {cases} ELSE {value} END"


def reformatted(value: str, formats: tuple[str, ...], canonical: str) -> str:
    """A date or timestamp in one of the bank's formats as ISO text (a date-only timestamp is midnight)."""
    tried = "[" + ", ".join(literal(f) for f in formats) + "]"
    return f"coalesce(strftime(try_strptime(trim({value}), {tried}), {literal(canonical)}), {value})"


def decimal_pattern(decimal: str, thousands: str) -> str:
    """The regular expression a number written with these marks matches in full."""
    fraction = f"([{decimal}][0-9]*)?"
    plain = f"[-+]?[0-9]+{fraction}"
    if not thousands:
        return plain
    return f"[-+]?[0-9]{{1,3}}([{thousands}][0-9]{{3}})+{fraction}|{plain}"


def point_decimal(value: str, decimal: str, thousands: str) -> str:
    """A number with the bank's decimal and thousands marks as point-decimal text, digits ungrouped."""
    text = f"trim({value})"
    if thousands:
        text = f"replace({text}, {literal(thousands)}, '')"
    if decimal != ".":
        text = f"replace({text}, {literal(decimal)}, '.')"
    pattern = literal(decimal_pattern(decimal, thousands))
    return f"CASE WHEN regexp_full_match(trim({value}), {pattern}) THEN {text} ELSE {value} END"


def converted(column: Column, mapping: SourceMapping) -> str:
    """SQL giving one contract column as canonical text from the bank's columns, a constant, or NULL."""
    if column.name in mapping.constants:
        return literal(mapping.constants[column.name])
    if column.name not in mapping.columns:
        return "CAST(NULL AS VARCHAR)"
    value = identifier(mapping.columns[column.name])
    if column.name in mapping.codes:
        value = translated(value, mapping.codes[column.name])
    if column.type == "date" and mapping.date_formats:
        return reformatted(value, mapping.date_formats, ISO_DATE)
    if column.type == "timestamp" and mapping.timestamp_formats:
        return reformatted(value, mapping.timestamp_formats, ISO_TIMESTAMP)
    if column.type in ("decimal", "rate") and (mapping.decimal != "." or mapping.thousands):
        return point_decimal(value, mapping.decimal, mapping.thousands)
    return value


def converted_select(mapping: SourceMapping) -> str:
    """The select list turning a bank file's rows into the contract's columns, as canonical text."""
    return ", ".join(f"{converted(c, mapping)} AS {identifier(c.name)}" for c in mapping.landing.columns)
