"""Project-level promises: migrations, production settings, compose, demo data."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
PROD_ENV = {
    "SECRET_KEY": "k" * 20 + "-realistic-production-secret-value-0123456789abcdef",
    "DATABASE_URL": "postgres://udh:secret@db:5432/udhaengning",
    "ALLOWED_HOSTS": "udhaengning.example.dk",
    "CSRF_TRUSTED_ORIGINS": "https://udhaengning.example.dk",
    "CELERY_BROKER_URL": "redis://redis:6379/0",
    "CACHE_URL": "rediscache://redis:6379/1",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.dk:587",
    "DEFAULT_FROM_EMAIL": "udhaengning@example.dk",
    "AUDIT_HMAC_KEY": "a" * 8 + "-realistic-audit-chain-key-0123456789",
}


def _manage(*args, env_extra=None, drop=()):
    skip = {*PROD_ENV, "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update({"DJANGO_SETTINGS_MODULE": "udhaengning.settings.prod", **PROD_ENV, **(env_extra or {})})
    for name in drop:
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.django_db
def test_no_pending_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_check_deploy_is_clean_in_production():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "CELERY_BROKER_URL"])
def test_production_refuses_to_start_without_essentials(missing):
    result = _manage("check", drop=[missing])
    assert result.returncode != 0
    assert "refuse to start" in result.stderr
    assert missing in result.stderr


@pytest.mark.parametrize("key", ["", "short-key"])
def test_production_refuses_to_start_without_an_audit_key(key):
    result = _manage("check", env_extra={"AUDIT_HMAC_KEY": key})
    assert result.returncode != 0
    assert "AUDIT_HMAC_KEY" in result.stderr


def test_production_reads_the_audit_key_from_a_secrets_file(tmp_path):
    secret = tmp_path / "audit_key"
    secret.write_text("f" * 40 + "\n")
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.AUDIT_HMAC_KEY)",
        env_extra={"AUDIT_HMAC_KEY": "", "AUDIT_HMAC_KEY_FILE": str(secret)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "f" * 40


def test_production_refuses_a_weak_secret_key():
    result = _manage("check", env_extra={"SECRET_KEY": "dev-short"})
    assert result.returncode != 0
    assert "SECRET_KEY must be a random value" in result.stderr


def test_production_refuses_sqlite():
    result = _manage("check", env_extra={"DATABASE_URL": "sqlite:////tmp/x.sqlite3"})
    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr


def test_compose_file_follows_the_compose_specification():
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "check-jsonschema"),
            "--builtin-schema",
            "vendor.compose-spec",
            str(ROOT / "docker-compose.yml"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _env_example_names() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.M))


def test_every_compose_variable_is_documented_in_env_example():
    compose = (ROOT / "docker-compose.yml").read_text()
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", compose))
    assert used, "compose file should read its configuration from the environment"
    assert used <= _env_example_names(), used - _env_example_names()


def test_every_setting_read_from_the_environment_is_documented():
    names: set[str] = set()
    for path in (ROOT / "udhaengning" / "settings").glob("*.py"):
        names |= set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', path.read_text()))
    assert names <= _env_example_names(), names - _env_example_names()


def test_compose_has_the_production_services():
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "db", "redis", "mailpit"} <= set(services)
    assert "healthcheck" in services["db"]
    assert services["db"]["image"].startswith("postgres:16")
    assert services["mailpit"].get("profiles") == ["dev"]
    assert (
        "gunicorn" in " ".join(services["web"]["command"])
        if isinstance(services["web"]["command"], list)
        else "gunicorn" in services["web"]["command"]
    )


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    from accounts.models import Membership, Organisation, Unit, User

    def snapshot():
        return (
            list(Organisation.objects.values_list("name", "cvr")),
            sorted(Unit.objects.values_list("name", "parent__name")),
            sorted(User.objects.values_list("username", "password", "organisation__name")),
            sorted(Membership.objects.values_list("user__username", "unit__name", "role")),
        )

    call_command("seed_demo", verbosity=0)
    first = snapshot()
    call_command("seed_demo", verbosity=0)
    assert snapshot() == first
    roles = {role for _, _, role in first[3]}
    assert roles == {"manager", "caseworker", "union_rep", "admin"}
    assert ("jobleder", "Jobcenter", "manager") in first[3]
    assert sum(1 for _, _, r in first[3] if r == "caseworker") >= 3


@pytest.mark.django_db
def test_demo_users_land_on_their_role_page(client):
    from demo.accounts import DEMO_PASSWORD, DEMO_USERS

    call_command("seed_demo", verbosity=0)
    for demo in DEMO_USERS:
        client.logout()
        response = client.post("/accounts/login/", {"login": demo.username, "password": DEMO_PASSWORD}, follow=True)
        assert response.status_code == 200, demo.username
        assert response.redirect_chain[-1][0] != "/ingen-rolle/", demo.username
