"""A landing file's physical lines and the records they hold, to reconcile what the CSV reader loaded and rejected.

A record is one line, or several when a quoted value holds a line break (RFC 4180: an address on two lines is
legitimate). Every data line of a file belongs to exactly one record or is blank (blank lines hold no record), so a
file of N data lines accounts for N lines: the lines of its loaded records plus its rejected lines. An unterminated
quote swallows the lines after it into one broken record: each of those lines is rejected with the line the quote
opened on, never lost inside a value.
"""

import csv
import itertools
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Span:
    """The physical lines a record occupies, first to last (line 1 is the header)."""

    first: int
    last: int

    @property
    def lines(self) -> range:
        return range(self.first, self.last + 1)


def record_spans(path: Path, encoding: str = "utf-8", delimiter: str = ",", quote: str = '"') -> list[Span | None]:
    """The file's records after the header, in order, as the CSV reader numbers them (a blank line is None)."""
    spans: list[Span | None] = []
    with path.open(encoding=encoding, errors="replace", newline="") as f:
        reader = csv.reader(f, delimiter=delimiter, quotechar=quote or None, doublequote=True, strict=False)
        next(reader, None)
        previous = reader.line_num
        for fields in reader:
            spans.append(Span(previous + 1, reader.line_num) if fields else None)
            previous = reader.line_num
    return spans


def single_line_records(path: Path, encoding: str, records: int) -> bool:
    """Whether the file is its header and `records` lines, one record each (no blank line, no line break in a value):
    the common case, reconciled by counting line ends rather than parsing the file a second time."""
    if "\n".encode(encoding) != b"\n":  # UTF-16 and the like: count by parsing
        return False
    lines, last = 0, b""
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            lines, last = lines + block.count(b"\n"), block[-1:]
    return lines + (last not in (b"\n", b"")) == records + 1


def line_texts(path: Path, wanted: set[int], encoding: str = "utf-8") -> dict[int, str]:
    """The text of the wanted physical lines, without their line end."""
    with path.open(encoding=encoding, errors="replace", newline="") as f:
        numbered = itertools.islice(enumerate(f, start=1), max(wanted, default=0))
        return {n: line.rstrip("\r\n") for n, line in numbered if n in wanted}


def swallowed_reason(span: Span) -> str:
    """Why each line of a record broken across lines is rejected: the quote that opened on its first line."""
    return f"unterminated quote opened on line {span.first}"
