"""What a day's landing files hold, as versions: each file's size and SHA-256, so a file delivered again with other
content is new data and one left untouched (or rewritten with the same bytes) is not."""

import datetime as dt
import hashlib
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from riskhub_assets.lib.contract import LANDING_FILES
from riskhub_assets.lib.ingest import landing_file
from riskhub_assets.lib.mapping import SourceMapping

NOT_SENT = "not-sent"
"""The version of a landing file absent from its day folder: sending it later is new data."""


RECENT_NS = 2_000_000_000
"""A file changed less than 2 s ago is read again on every look: a file system may keep its times so coarsely that a
rewrite of the same size within that time leaves them unchanged."""


def _sha256(path: Path) -> str:
    """The file's SHA-256, read now."""
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


@lru_cache(maxsize=8192)
def _settled_sha256(path: Path, size: int, modified_ns: int, changed_ns: int, inode: int) -> str:
    """The file's SHA-256, read once per size, times and inode (the sensor looks at the same files each minute): a
    write changes the change time, which no one can set back, and a file renamed into place is a new inode."""
    return _sha256(path)


@dataclass(frozen=True)
class FileVersion:
    """One landing file of one day as it is now: its path, bytes and their SHA-256 (None when it was not sent)."""

    path: Path
    size: int | None = None
    sha256: str | None = None

    @property
    def data_version(self) -> str:
        """The file's data version: its size and checksum, which change exactly when its content does."""
        return f"{self.size}-{self.sha256[:16]}" if self.sha256 else NOT_SENT


def file_version(path: Path) -> FileVersion:
    """The version of the landing file at `path`, or NOT_SENT's when there is none."""
    if not path.is_file():
        return FileVersion(path)
    stat = path.stat()
    recent = time.time_ns() - max(stat.st_mtime_ns, stat.st_ctime_ns) < RECENT_NS
    digest = (
        _sha256(path)
        if recent
        else _settled_sha256(path, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
    )
    return FileVersion(path, stat.st_size, digest)


def day_versions(landing_dir: Path, day: dt.date, mappings: dict[str, SourceMapping | None]) -> dict[str, FileVersion]:
    """Every landing file of the contract for one business day, by name, as the day folder holds it now."""
    return {
        spec.name: file_version(landing_file(landing_dir, day, spec, mappings.get(spec.name))) for spec in LANDING_FILES
    }


def day_fingerprint(versions: dict[str, FileVersion]) -> str:
    """One version for a whole day: changes when any of its files changes, arrives or goes."""
    text = ";".join(f"{name}={version.data_version}" for name, version in sorted(versions.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
