"""A landing file's version is its size and checksum: new bytes are a new version even when the size and the
modification time are the same, and the same bytes written again are the same version."""

import os
import time

from riskhub_assets.lib import landing_versions
from riskhub_assets.lib.landing_versions import NOT_SENT, file_version


def _write_old(path, text: str, modified_ns: int) -> None:
    """Write the file and set its modification time back, as `cp -p` or `rsync -t` would."""
    path.write_text(text)
    os.utime(path, ns=(modified_ns, modified_ns))


def test_other_bytes_of_the_same_size_and_time_are_a_new_version(tmp_path, monkeypatch):
    monkeypatch.setattr(landing_versions, "RECENT_NS", 0)  # every file counts as settled: its checksum is cached
    path, long_ago = tmp_path / "transactions.csv", time.time_ns() - 3_600_000_000_000
    assert file_version(path).data_version == NOT_SENT
    _write_old(path, "a,b\n1,2\n", long_ago)
    first = file_version(path)
    assert (first.size, first.data_version.split("-")[0]) == (8, "8")
    time.sleep(0.01)
    _write_old(path, "a,b\n1,2\n", long_ago)
    assert file_version(path).data_version == first.data_version
    time.sleep(0.01)
    _write_old(path, "a,b\n3,4\n", long_ago)
    assert file_version(path).data_version != first.data_version
