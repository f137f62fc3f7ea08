"""The compose deployment, checked without a container engine (none runs on the CI machine).

compose.yaml: the five services, each with a healthcheck and a non-root
user; the scheduler exactly one, the worker scalable (no fixed name, no host
port); secrets from files; the design's resource envelope on the database;
volumes labelled with the storage budgets. Each Dockerfile copies only files
that exist and passes hadolint.
"""

import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings

DOCKER = Path(settings.BASE_DIR) / "docker"
COMPOSE = yaml.safe_load((DOCKER / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
LAKE = ("web", "worker", "scheduler")


def test_the_five_services_each_have_a_healthcheck_and_a_non_root_user():
    assert set(SERVICES) == {"web", "worker", "scheduler", "db", "redis"}
    for name, service in SERVICES.items():
        check = service.get("healthcheck", {}).get("test")
        assert check and check[0] == "CMD", name
        assert str(service.get("user", "root")) not in ("root", "0"), name
    for name in LAKE:
        assert SERVICES[name]["healthcheck"]["test"][-1] == name  # docker/healthcheck.py <role>


def test_workers_scale_and_the_scheduler_is_one():
    worker, scheduler = SERVICES["worker"], SERVICES["scheduler"]
    assert "container_name" not in worker and "ports" not in worker  # --scale worker=4 needs both absent
    assert worker["command"][2] == "rqworker" and {"imports", "maintenance"} <= set(worker["command"])
    assert scheduler["deploy"]["replicas"] == 1 and scheduler["command"][2:] == ["rqcron", "datalake.cron"]
    # Only web migrates (serve --prepare-only); the others start after it is healthy.
    assert "--prepare-only" in " ".join(SERVICES["web"]["command"])
    for name in ("worker", "scheduler"):
        assert SERVICES[name]["depends_on"]["web"]["condition"] == "service_healthy"


def test_secrets_come_from_files_and_the_environment_file_holds_none():
    declared = COMPOSE["secrets"]
    assert all(set(secret) == {"file"} for secret in declared.values())
    for name in LAKE:
        service = SERVICES[name]
        assert set(service["secrets"]) <= set(declared)
        for variable, value in service["environment"].items():
            if variable.endswith("_FILE"):
                assert value.startswith("/run/secrets/") and value.removeprefix("/run/secrets/") in service["secrets"]
    # Every NAME_FILE the services use is one the settings read (or MASTER_KEY_FILE, a path setting).
    used = {v.removesuffix("_FILE") for v in SERVICES["web"]["environment"] if v.endswith("_FILE")}
    assert used - {"MASTER_KEY"} <= set(settings.SECRET_FILE_NAMES)
    # The image is built from the repository: the secrets folder must stay out of it.
    ignored = (Path(settings.BASE_DIR) / ".dockerignore").read_text().split()
    assert "docker/secrets" in ignored


def test_the_resource_envelope_and_volume_budgets():
    resources = SERVICES["db"]["deploy"]["resources"]
    assert resources["limits"] == {"cpus": "4", "memory": "8G"}
    assert resources["reservations"] == {"cpus": "2", "memory": "4G"}
    sizes = {name: volume["labels"].get("datapunk.size") for name, volume in COMPOSE["volumes"].items()}
    budgets = settings.STORAGE_BUDGETS_GB
    assert sizes["lakedata"] == f"{budgets['data']}GB" and sizes["lakearchive"] == f"{budgets['archive']}GB"
    assert sizes["laketemp"] == f"{budgets['temp']}GB"


def _copied(dockerfile: Path) -> list[str]:
    sources = []
    for line in dockerfile.read_text().splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            sources += line.split()[1:-1]
    return sources


def test_each_image_copies_files_that_exist_and_the_db_image_has_every_extension():
    root = Path(settings.BASE_DIR)
    for dockerfile in (DOCKER / "Dockerfile", DOCKER / "db" / "Dockerfile"):
        for source in _copied(dockerfile):
            assert source == "." or (root / source).exists(), (dockerfile, source)
    db = (DOCKER / "db" / "Dockerfile").read_text()
    for package in ("postgis", "pgvector", "partman", "cron", "timescaledb"):
        assert package in db, package
    assert "shared_preload_libraries = 'pg_cron,timescaledb'" in (DOCKER / "db" / "lake.conf").read_text()
    assert SERVICES["db"]["build"]["dockerfile"] == "docker/db/Dockerfile"


def test_hadolint_passes_on_each_dockerfile():
    hadolint = Path(sys.executable).parent / "hadolint"
    files = [str(DOCKER / "Dockerfile"), str(DOCKER / "db" / "Dockerfile")]
    result = subprocess.run([str(hadolint), "--no-color", *files], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
