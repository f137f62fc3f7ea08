"""Configuration stays documented and deployable."""

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def settings_variables():
    source = (ROOT / "datalake" / "settings.py").read_text()
    return set(re.findall(r'env\.(?:str|bool|int|list|float)\(\s*"([A-Z_]+)"', source))


def test_every_setting_read_from_the_environment_is_in_env_example():
    example = (ROOT / "docker" / ".env.example").read_text()
    listed = set(re.findall(r"^([A-Z_]+)=", example, flags=re.M))
    assert settings_variables() - listed == set()


def test_the_compose_file_runs_database_redis_and_the_console():
    compose = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
    assert set(compose["services"]) == {"db", "redis", "web", "worker", "scheduler"}
    for console in ("web", "worker", "scheduler"):  # one image, three roles
        assert compose["services"][console]["build"]["dockerfile"] == "docker/Dockerfile"
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    for copied in ("requirements.txt", "package.json", "package-lock.json"):
        assert copied in dockerfile and (ROOT / copied).exists()


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    # The browser fixture allows sync ORM calls beside Playwright's event loop;
    # a production process never has that set (and Django warns if it does).
    unset = ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(unset)}
    env.update(
        DEBUG="false", SECRET_KEY="x" * 20 + "production-secret-key-with-enough-entropy-1234567890",
        ALLOWED_HOSTS="lake.example.org", BEHIND_TLS_PROXY="true", SECURE_HSTS_SECONDS="31536000",
        MASTER_KEY="", MASTER_KEY_FILE=str(tmp_path / "master.key"),
    )
    (tmp_path / "master.key").write_text("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n")
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
