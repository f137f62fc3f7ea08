"""Not collected by the suite (no test_ prefix): run by test_no_leftovers in a pytest of its own.

It starts a process the way a careless test would, detached in its own
session and never stopped, to show the suite's cleanup ends it.
"""

import subprocess


def test_starts_a_process_and_forgets_it():
    subprocess.Popen(["sleep", "300"], start_new_session=True)  # noqa: S607 - a fixed, harmless command
