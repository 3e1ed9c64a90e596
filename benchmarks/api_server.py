"""What the API benchmarks share: the scoring API started on a free loopback port over a RiskHub data folder."""

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def api_server(data: Path) -> Iterator[int]:
    """Run uvicorn with the API factory (the registry's champions of `data`) until the block ends; yields the port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "riskhub_assets.api.app:create_app", "--factory", "--port", str(port)]
        + ["--host", "127.0.0.1", "--no-access-log", "--log-level", "warning"],
        env={**os.environ, "RISKHUB_DATA_DIR": str(data), "RISKHUB_API_AUTH": "off"},  # loopback, this process only
    )
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)
