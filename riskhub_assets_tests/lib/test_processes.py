"""`riskhub serve`'s supervision: a process that exits is started again, the others run on, all stop at the end."""

import sys
import time

from riskhub_assets.lib import processes


def test_a_process_that_exits_is_started_again_while_the_others_run_on():
    said, deadline = [], time.monotonic() + 2.0
    restarts = processes.supervise(
        {
            "crashes": [sys.executable, "-c", "import sys; sys.exit(3)"],
            "serves": [sys.executable, "-c", "import time; time.sleep(60)"],
        },
        env={},
        report=said.append,
        longest_pause=0.2,
        running=lambda: time.monotonic() < deadline,
        tick=0.02,
    )
    assert restarts["crashes"] >= 3 and restarts["serves"] == 0
    assert said and all(line.startswith("crashes exited with code 3") for line in said)
