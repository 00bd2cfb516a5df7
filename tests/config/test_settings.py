"""Settings come from the environment; production refuses to start without a secret key or allowed hosts."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS)"


def start(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(DJANGO_SETTINGS_MODULE="config.settings", DJANGO_ENV_FILE="")
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def test_production_without_secret_key_refuses_with_a_clear_message():
    result = start(DJANGO_ALLOWED_HOSTS="tracker.example.org")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_without_allowed_hosts_refuses():
    result = start(DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS is not set" in result.stderr


def test_debug_is_off_unless_asked_for():
    result = start(DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS="tracker.example.org")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['tracker.example.org']"


def test_development_needs_no_secret():
    result = start(DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True")


def test_a_development_env_file_makes_hand_typed_commands_work_and_the_environment_still_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("# written by make setup\nDJANGO_DEBUG=1\n")
    development = start(DJANGO_ENV_FILE=str(env_file))
    assert development.returncode == 0, development.stderr
    assert development.stdout.startswith("True")
    production = start(DJANGO_ENV_FILE=str(env_file), DJANGO_DEBUG="0")
    assert production.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in production.stderr


def test_manage_py_commands_typed_by_hand_work_after_make_setup(tmp_path):
    """The README's `manage.py changepassword NAME` and friends need no DJANGO_DEBUG=1 once setup wrote .env."""
    env_file = tmp_path / ".env"
    env_file.write_text("DJANGO_DEBUG=1\n")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(DJANGO_ENV_FILE=str(env_file), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = subprocess.run(
        [sys.executable, "manage.py", "help", "create_api_token"], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "USERNAME" in result.stdout or "username" in result.stdout
