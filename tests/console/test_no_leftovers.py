"""Nothing a test run starts outlives it: the session's cleanup ends what a test forgot."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

from tests.conftest import SESSION_MARK, processes_marked

ROOT = Path(__file__).resolve().parents[2]


def test_a_process_a_test_forgot_is_stopped_when_the_session_ends():
    mark = f"probe-{uuid.uuid4().hex}"
    env = {**os.environ, SESSION_MARK: mark}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly",
                             str(ROOT / "tests" / "console" / "leftover_probe.py")],
                            env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "stopping processes the test run left behind" in result.stdout
    assert "sleep 300" in result.stdout
    assert processes_marked(mark) == []
