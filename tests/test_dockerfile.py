"""The image and the compose file, checked without a Docker engine (none on this machine).

The compose file against the Compose specification's JSON schema (check-jsonschema, offline),
then what the schema cannot know: the one-off migrate service, no fixed host port on web, a
health check on every long-running service, secrets and private data kept out of the build
context (.dockerignore), a non-root user and hash-checked dependencies in the Dockerfile.
tests/test_production_topology.py runs the same commands and proxy configuration for real.
"""

from __future__ import annotations

import fnmatch
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def _ignored(path: str) -> bool:
    """Docker's rule, simplified: the last matching line wins; "!" re-includes."""
    ignored = False
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = line.lstrip("!").rstrip("/").removeprefix("**/")
        parts = Path(path).parts
        candidates = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)] + list(parts)
        if any(fnmatch.fnmatch(candidate, pattern) for candidate in candidates):
            ignored = not negate
    return ignored


def test_compose_file_matches_the_compose_specification():
    checker = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.compose-spec", "docker-compose.yml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_secrets_private_files_and_backups_stay_out_of_the_build_context():
    for path in (
        ".env",
        ".env.production",
        ".venv/bin/python",
        "var/private/evidence/2026/x.png",
        "var/test-private/a",
        "backups/udhaengning-20261124T021500Z/database.dump",
        "db.sqlite3",
        ".git/config",
        "incidents/__pycache__/models.cpython-311.pyc",
        "staticfiles/app.css",
    ):
        assert _ignored(path), path
    for path in (
        "manage.py",
        "requirements.lock",
        "udhaengning/settings/prod.py",
        "deploy/gunicorn.conf.py",
        "bin/healthcheck",
        "locale/en/LC_MESSAGES/django.mo",
        ".env.example",
        "templates/base.html",
    ):
        assert not _ignored(path), path


def test_the_image_runs_as_a_user_and_installs_only_hashed_pins():
    dockerfile = (ROOT / "Dockerfile").read_text()
    instructions = [line.strip() for line in dockerfile.splitlines() if line.strip() and not line.startswith("#")]
    users = [line for line in instructions if line.startswith("USER ")]
    assert users and users[-1] != "USER root" and users[-1].split()[1] not in ("0", "root")
    assert "COPY requirements.lock ." in instructions
    assert any("--require-hashes -r requirements.lock" in line for line in instructions)
    assert not any(line.startswith("ADD ") for line in instructions)
    assert "deploy/gunicorn.conf.py" in instructions[-1]


def test_migrations_run_once_before_the_app_and_web_can_be_scaled():
    assert SERVICES["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert SERVICES["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert SERVICES[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert "migrate" not in " ".join(map(str, SERVICES[name]["command"]))
    assert "ports" not in SERVICES["web"]  # only the proxy publishes ports
    assert SERVICES["proxy"]["depends_on"]["web"] == {"condition": "service_healthy"}
    assert SERVICES["proxy"]["depends_on"]["tls-init"] == {"condition": "service_completed_successfully"}
    assert "server web:8000 resolve" in SERVICES["proxy"]["environment"]["NGINX_UPSTREAM_SERVERS"]


def test_every_long_running_service_has_a_health_check():
    long_running = [
        name for name, service in SERVICES.items() if service.get("restart") != "no" and not service.get("profiles")
    ]
    assert set(long_running) == {"web", "worker", "capture", "beat", "proxy", "db", "redis"}
    for name in long_running:
        assert SERVICES[name]["healthcheck"]["test"], name
    assert SERVICES["web"]["healthcheck"]["test"] == ["CMD", "bin/healthcheck", "web"]
    assert SERVICES["worker"]["healthcheck"]["test"] == ["CMD", "bin/healthcheck", "worker"]
    assert SERVICES["beat"]["healthcheck"]["test"] == ["CMD", "bin/healthcheck", "beat"]


def test_flower_is_a_tool_not_started_by_up():
    assert SERVICES["flower"]["profiles"] == ["tools"]
    assert all(port.startswith("127.0.0.1:") for port in SERVICES["flower"]["ports"])
    assert "-E" in SERVICES["worker"]["command"]


def test_the_proxy_template_is_fully_rendered_from_the_compose_environment(tmp_path):
    from tests.topology import compose_default

    sys.path.insert(0, str(ROOT / "deploy"))
    try:
        import render
    finally:
        sys.path.pop(0)
    template = (ROOT / "deploy/nginx/udhaengning.conf.template").read_text()
    values = {name: compose_default(value) for name, value in SERVICES["proxy"]["environment"].items()}
    text = render.render(template, values)
    assert not [line for line in text.splitlines() if "${" in line and not line.lstrip().startswith("#")]
    assert "client_max_body_size 260m;" in text and "proxy_request_buffering on;" in text
    assert "server web:8000 resolve" in text and "resolver 127.0.0.11" in text
    assert "$http_host" in text and "$request_id" in text  # nginx's own variables are left alone
    values.pop("NGINX_TLS_CERT")
    try:
        render.render(template, values)
    except KeyError as exc:
        assert "NGINX_TLS_CERT" in str(exc)
    else:
        raise AssertionError("a missing value must not render")
