"""The command line as a person or a script uses it: no stack trace is a user interface."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.harness import REPO, Harness


def test_a_listing_into_a_closed_pipe_ends_quietly(harness: Harness) -> None:
    # `mailgate tickets list --json | head -1` once head has gone: the write fails (EPIPE)
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "mailgate", "--config", str(harness.config_path),
             "tickets", "list", "--json"],
            stdout=write, stderr=subprocess.PIPE, timeout=120, cwd=REPO,
        )
    finally:
        os.close(write)
    assert done.stderr.decode() == ""
    assert done.returncode == 141  # 128 + SIGPIPE, as the shell reports a tool the pipe ended
