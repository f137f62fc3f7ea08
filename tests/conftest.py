"""Shared fixtures: the real database (both roles), real Redis, and named personas.

Alice and Bob are users with data; Charlie is a user with none; Dana is an
admin, Otto is ops. Tests say who does what, e.g. "Bob cannot see Alice's run".
"""

import contextlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from core.embedded import EmbeddedServices

ROOT = Path(__file__).resolve().parent.parent
# Real Takeout files from other projects' test data. Not part of the repository:
# CI sets TAKEOUT_SAMPLES (and REQUIRE_TAKEOUT_SAMPLES=1, so it always runs them);
# elsewhere the tests that need them are deselected when the folder is absent.
TAKEOUT_SAMPLES = Path(os.environ.get("TAKEOUT_SAMPLES") or ROOT.parent / "shared" / "takeout-samples")
SAMPLES_FIXTURE = "shared_samples"


def pytest_collection_modifyitems(config, items):
    if TAKEOUT_SAMPLES.is_dir():
        return
    needing = [item for item in items if SAMPLES_FIXTURE in getattr(item, "fixturenames", ())]
    if not needing:
        return
    if os.environ.get("REQUIRE_TAKEOUT_SAMPLES"):
        raise pytest.UsageError(f"the real Takeout samples are missing: TAKEOUT_SAMPLES={TAKEOUT_SAMPLES} "
                                f"is not a folder, and {len(needing)} tests need it")
    config.hook.pytest_deselected(items=needing)
    items[:] = [item for item in items if SAMPLES_FIXTURE not in getattr(item, "fixturenames", ())]
    config._takeout_samples_deselected = len(needing)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    count = getattr(config, "_takeout_samples_deselected", 0)
    if count:
        terminalreporter.write_line(
            f"{count} tests deselected: they read real Takeout samples from {TAKEOUT_SAMPLES}, which is absent. "
            f"Point TAKEOUT_SAMPLES at a copy of shared/takeout-samples to run them (CI always does).")


# Every process the suite starts inherits this marker in its environment;
# .ci/run sets it itself to check afterwards that nothing is left running.
SESSION_MARK = "DATALAKE_TEST_SESSION"


def processes_marked(mark: str) -> list:
    """Live processes carrying `mark`, except this one and its ancestors (make, the CI script)."""
    import psutil

    spared = {os.getpid(), *(p.pid for p in psutil.Process().parents())}
    found = []
    for process in psutil.process_iter():
        try:
            if process.pid in spared or process.status() == psutil.STATUS_ZOMBIE:
                continue
            if process.environ().get(SESSION_MARK) == mark:
                found.append(process)
        except psutil.Error:  # gone meanwhile, or not ours to read
            continue
    return found


@pytest.fixture(scope="session", autouse=True)
def _nothing_left_running(request):
    """Whatever the suite started (RQ workers, servers, embedded Redis and
    PostgreSQL) ends with it: set up first, so it is torn down last."""
    import psutil

    mark = os.environ.setdefault(SESSION_MARK, uuid.uuid4().hex)
    yield
    leftovers = processes_marked(mark)
    if not leftovers:
        return
    # Said on the terminal, past output capture: a leftover is a bug to fix.
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        sys.stdout.write("\nstopping processes the test run left behind:\n" + "".join(
            f"  {p.pid} {' '.join(_cmdline(p))}\n" for p in leftovers))
        sys.stdout.flush()
    for process in leftovers:
        with contextlib.suppress(psutil.Error):
            process.terminate()
    _, alive = psutil.wait_procs(leftovers, timeout=10)
    for process in alive:
        with contextlib.suppress(psutil.Error):
            process.kill()


def _cmdline(process) -> list[str]:
    try:
        return process.cmdline()
    except Exception:  # noqa: BLE001 - only for the message
        return ["?"]


@pytest.fixture(scope="session")
def embedded_services():
    """Start the embedded PostgreSQL/Redis when no DATABASE_URL/REDIS_URL is set."""
    services = EmbeddedServices().start()
    yield services
    services.stop()


@pytest.fixture(scope="session", autouse=True)
def storage_areas(tmp_path_factory):
    """DATA_DIR, ARCHIVE_DIR and TEMP_DIR of this test run's own, never a developer's var/.

    Raw files are content-addressed per user id, and a fresh test database
    hands out the same ids again: a raw file left by an earlier run would be
    taken for this run's (and fail to decrypt under this run's keys). Set in
    the environment too, for child processes.
    """
    root = tmp_path_factory.mktemp("storage")
    for name in ("DATA_DIR", "ARCHIVE_DIR", "TEMP_DIR"):
        folder = root / name.removesuffix("_DIR").lower()
        os.environ[name] = str(folder)
        setattr(settings, name, folder)
    return root


@pytest.fixture(scope="session")
def test_keys(tmp_path_factory):
    """A master key and data keys of the test run's own, never a developer's real ones.

    Set in the environment too, so child processes (workers, the live server) share them.
    """
    from vault.keyring import ensure_master_key

    folder = tmp_path_factory.mktemp("keys")
    os.environ["KEYS_DIR"], os.environ["MASTER_KEY_FILE"], os.environ["MASTER_KEY"] = (
        str(folder), str(folder / "master.key"), "")
    settings.KEYS_DIR, settings.MASTER_KEY_FILE, settings.MASTER_KEY = folder, folder / "master.key", ""
    ensure_master_key()
    return folder


@pytest.fixture(scope="session")
def django_db_setup(embedded_services, test_keys, django_db_blocker):
    from core.testing import create_test_database, drop_test_database

    with django_db_blocker.unblock():
        name = create_test_database()
    yield name
    with django_db_blocker.unblock():
        drop_test_database(name)


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """Database access without a wrapping transaction, for tests whose data other
    processes (RQ workers, the live server) must see. Everything is truncated after."""
    from core.testing import truncate_lake

    with django_db_blocker.unblock():
        yield
        truncate_lake()


def _make_user(username, *personas):
    from django.contrib.auth import get_user_model

    from console.personas import grant_persona

    user = get_user_model().objects.create_user(username=username, password=f"{username}-pass-123")
    if personas:
        grant_persona(user, *personas)
    return user


@pytest.fixture
def make_user():
    return _make_user


@pytest.fixture
def alice(db):
    return _make_user("alice", "user")


@pytest.fixture
def bob(db):
    return _make_user("bob", "user")


@pytest.fixture
def charlie(db):
    return _make_user("charlie", "user")


@pytest.fixture
def dana(db):
    return _make_user("dana", "admin")


@pytest.fixture
def otto(db):
    return _make_user("otto", "ops")


@pytest.fixture(scope="session")
def shared_samples():
    """The folder of real Takeout samples (TAKEOUT_SAMPLES); tests using it are deselected without it."""
    return TAKEOUT_SAMPLES


@pytest.fixture
def child_env(django_db_setup):
    """Environment for child processes (RQ workers, servers) aimed at the test database."""
    from core.testing import database_url_for_children

    env = dict(os.environ)
    env["DATABASE_URL"] = database_url_for_children()
    env["REDIS_URL"] = settings.REDIS_URL
    env["VAR_DIR"] = str(settings.VAR_DIR)
    return env


@pytest.fixture
def run_worker(child_env):
    """Run a real RQ worker in burst mode: it drains the queues, then exits."""

    def run(*queues, timeout=120):
        command = [sys.executable, str(ROOT / "manage.py"), "rqworker", "--burst", *(queues or ("default",))]
        return subprocess.run(command, env=child_env, cwd=ROOT, capture_output=True, text=True,
                              timeout=timeout, check=False)

    return run


@pytest.fixture
def live_url(committed, child_env):
    """The real console (gunicorn) on a free loopback port, against the test database.

    pytest-django's live_server needs flush-based transactional tests, which
    cannot TRUNCATE auth_user while partitioned tables reference it; this one
    runs the production server in a child process and `committed` cleans up.
    """
    from django.core.cache import cache

    from console.signin import PREFIX
    from core.testing import running_console

    # Every browser signs in from 127.0.0.1: one test's wrong passwords must
    # not count against the next test's sign-ins (the counters outlive a test in Redis).
    cache.delete_pattern(f"{PREFIX}*")
    with running_console(dict(child_env, WHITENOISE_USE_FINDERS="true", DEBUG="false")) as (url, _):
        yield url


@pytest.fixture(scope="session")
def chromium():
    """Debian's headless Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; the ORM calls
    # the tests make alongside it are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(executable).exists():
        pytest.fail(f"Chromium is missing at {executable}: install Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def sign_in(live_url):
    """Sign a person in through the real login form."""

    def sign_in(page, user):
        page.goto(f"{live_url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", f"{user.username}-pass-123")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_url}/")

    return sign_in
