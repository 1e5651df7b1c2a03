"""Settings read from the environment fail loudly, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from huying.env import env_bool, env_choice, env_int, env_list, env_timezone, env_url

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(("raw", "value"), [("1", True), ("yes", True), ("ON", True), ("0", False), ("off", False)])
def test_env_bool_accepts(raw, value):
    assert env_bool("DEBUG", not value, {"DEBUG": raw}) is value


def test_env_bool_default():
    assert env_bool("DEBUG", True, {}) is True


def test_env_bool_rejects_typos():
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG", False, {"DEBUG": "ture"})


def test_env_int():
    assert env_int("AXES_FAILURE_LIMIT", 5, environ={"AXES_FAILURE_LIMIT": " 7 "}) == 7
    assert env_int("AXES_FAILURE_LIMIT", 5, environ={}) == 5
    with pytest.raises(ImproperlyConfigured, match="AXES_FAILURE_LIMIT"):
        env_int("AXES_FAILURE_LIMIT", 5, environ={"AXES_FAILURE_LIMIT": "five"})
    with pytest.raises(ImproperlyConfigured, match="SESSION_COOKIE_AGE"):
        env_int("SESSION_COOKIE_AGE", 3600, minimum=300, environ={"SESSION_COOKIE_AGE": "10"})
    with pytest.raises(ImproperlyConfigured, match="PORT"):
        env_int("PORT", 80, maximum=65535, environ={"PORT": "70000"})


def test_env_timezone():
    assert env_timezone("TIME_ZONE", "UTC", {"TIME_ZONE": "Asia/Shanghai"}) == "Asia/Shanghai"
    with pytest.raises(ImproperlyConfigured, match="TIME_ZONE"):
        env_timezone("TIME_ZONE", "UTC", {"TIME_ZONE": "Asia/Beijing-ish"})


def test_env_url():
    assert env_url("DATABASE_URL", "", ("postgres",), {"DATABASE_URL": "postgres://h/db"}) == "postgres://h/db"
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env_url("DATABASE_URL", "", ("sqlite", "postgres"), {"DATABASE_URL": "mysql://h/db"})
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        env_url("REDIS_URL", "", ("redis",), {"REDIS_URL": "localhost:6379"})


def test_env_choice_and_list():
    with pytest.raises(ImproperlyConfigured, match="LOG_LEVEL"):
        env_choice("LOG_LEVEL", "INFO", ["INFO", "DEBUG"], {"LOG_LEVEL": "LOUD"})
    assert env_list("ALLOWED_HOSTS", ["x"], {"ALLOWED_HOSTS": "a.example, b.example,"}) == ["a.example", "b.example"]
    assert env_list("ALLOWED_HOSTS", ["x"], {}) == ["x"]


def _import_settings(extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **extra_env}
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='huying.settings'; django.setup()"
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.slow  # starts a fresh Python process
def test_production_without_secret_key_refuses_to_start():
    result = _import_settings({"DEBUG": "0", "ALLOWED_HOSTS": "example.org"})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


@pytest.mark.slow  # starts a fresh Python process
def test_bad_boolean_in_environment_stops_start_up():
    result = _import_settings({"DEBUG": "ture"})
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


@pytest.mark.slow  # starts a fresh Python process
def test_development_starts_without_secret_key():
    result = _import_settings({"DEBUG": "1"})
    assert result.returncode == 0, result.stderr


def _run(args: list[str], extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **extra_env}
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.slow  # starts a fresh Python process
def test_management_commands_in_a_checkout_get_the_development_defaults():
    assert (REPO / ".git").exists(), "the suite runs in a source checkout"
    result = _run(["manage.py", "check"], {})
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.slow  # starts a fresh Python process
def test_management_commands_with_debug_off_still_need_a_secret_key():
    result = _run(["manage.py", "check"], {"DEBUG": "0", "ALLOWED_HOSTS": "example.org"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.slow  # starts a fresh Python process
def test_web_process_never_gets_the_development_defaults():
    result = _run(["-c", "import os; os.environ['DJANGO_SETTINGS_MODULE']='huying.settings'; import huying.wsgi"], {})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.slow  # starts a fresh Python process
def test_development_defaults_only_in_a_checkout(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("huying_manage", REPO / "manage.py")
    assert spec and spec.loader
    manage = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(manage)
    assert manage.development_defaults(tmp_path, {}) == {}
    (tmp_path / ".git").mkdir()
    assert manage.development_defaults(tmp_path, {}) == {"DEBUG": "1"}
    assert manage.development_defaults(tmp_path, {"DEBUG": "0"}) == {}
