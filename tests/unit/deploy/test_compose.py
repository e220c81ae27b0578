"""docker-compose.yml against what Airflow 3's official docker-compose.yaml (CeleryExecutor) requires.

Docker is not on this machine: the file is parsed (PyYAML resolves the anchors and merge keys)
and every service is checked for what the official file gives it (issue 12).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
AIRFLOW = ["airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer", "airflow-worker"]
SHARED_ENV = {  # the same value in every Airflow component, or tasks cannot talk to the api-server
    "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
    "AIRFLOW__CORE__AUTH_MANAGER": "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager",
    "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": "http://airflow-apiserver:8080/execution/",
    "AIRFLOW__CELERY__BROKER_URL": "redis://:@redis:6379/0",
}
SECRETS = ["AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET"]


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    doc = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    return dict(doc["services"])


def test_every_service_of_the_official_file_and_ours_is_there(services: dict[str, dict[str, Any]]) -> None:
    assert set(AIRFLOW + ["airflow-init", "postgres", "redis", "credit"]) <= set(services)


@pytest.mark.parametrize("name", AIRFLOW + ["airflow-init"])
def test_airflow_services_share_image_secrets_and_urls(services: dict[str, dict[str, Any]], name: str) -> None:
    s = services[name]
    assert s["build"] == "." and s["image"] == services["airflow-scheduler"]["image"]
    env = s["environment"]
    for key, value in SHARED_ENV.items():
        assert env[key] == value, key
    for key in SECRETS:  # required from .env, never a default baked into the file
        assert re.fullmatch(r"\$\{[A-Z_]+:\?.+\}", env[key]), key
        assert env[key] == services["airflow-apiserver"]["environment"][key]
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].endswith("@postgres:5432/airflow_meta")
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql://")
    assert env["CREDIT_DATABASE_URL"].endswith("@postgres:5432/credit")
    assert env["CREDIT_DROP"] == "/data/drop" and env["CREDIT_HOME"] == "/var/lib/credit"
    assert env["_PIP_ADDITIONAL_REQUIREMENTS"] == ""  # nothing is installed when a container starts
    assert "pip install" not in str(s.get("command", ""))


@pytest.mark.parametrize("name", AIRFLOW)
def test_long_running_components_are_healthchecked_and_wait_for_init(services: dict[str, dict[str, Any]],
                                                                       name: str) -> None:
    s = services[name]
    assert s["user"] == "${AIRFLOW_UID:-50000}:0"
    assert set(s["healthcheck"]) >= {"test", "interval", "timeout", "retries", "start_period"}
    assert s["restart"] == "always"
    deps = s["depends_on"]
    assert deps["postgres"]["condition"] == deps["redis"]["condition"] == "service_healthy"
    assert deps["airflow-init"]["condition"] == "service_completed_successfully"
    mounts = {m.split(":")[1]: m for m in s["volumes"]}
    assert mounts["/data/drop"].endswith(":ro") and "/var/lib/credit" in mounts and "/opt/airflow/logs" in mounts


def test_workers_scale_and_wait_for_the_api_server(services: dict[str, dict[str, Any]]) -> None:
    worker = services["airflow-worker"]
    assert worker["command"] == "celery worker"
    assert "container_name" not in worker and "ports" not in worker  # `--scale airflow-worker=N`
    assert worker["depends_on"]["airflow-apiserver"]["condition"] == "service_healthy"
    assert worker["environment"]["DUMB_INIT_SETSID"] == "0"
    assert "inspect ping" in " ".join(worker["healthcheck"]["test"])


def test_init_migrates_creates_the_admin_owns_the_volumes_and_upgrades_credit(
        services: dict[str, dict[str, Any]]) -> None:
    init = services["airflow-init"]
    env, script = init["environment"], "\n".join(init["command"])
    assert env["_AIRFLOW_DB_MIGRATE"] == "true" and env["_AIRFLOW_WWW_USER_CREATE"] == "true"
    assert env["_AIRFLOW_WWW_USER_PASSWORD"].startswith("${") and ":?" in env["_AIRFLOW_WWW_USER_PASSWORD"]
    assert init["user"] == "0:0" and init["restart"] == "no"
    assert re.search(r'chown -R "\$\{AIRFLOW_UID:-50000\}:0" .*/var/lib/credit', script)
    assert "credit db upgrade" in script and "/entrypoint airflow version" in script


def test_postgres_creates_the_metadata_database_and_redis_and_credit_are_checked(
        services: dict[str, dict[str, Any]]) -> None:
    pg = services["postgres"]
    (init_sql,) = [v.split(":")[0] for v in pg["volumes"] if "docker-entrypoint-initdb.d" in v]
    assert re.search(r"create database airflow_meta", (REPO / init_sql).read_text(), re.I)
    assert "pg_isready" in pg["healthcheck"]["test"]
    assert "redis-cli" in services["redis"]["healthcheck"]["test"]
    credit = services["credit"]
    assert credit["command"][:1] == ["serve"] and "8000:8000" in credit["ports"]
    assert "/healthz" in " ".join(credit["healthcheck"]["test"])
    assert credit["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"


def test_the_image_installs_the_locked_project_on_the_locked_airflow() -> None:
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    lock = (REPO / "requirements.lock").read_text(encoding="utf-8")
    (airflow,) = re.findall(r"^apache-airflow==(\S+)$", lock, re.M)
    assert f"ARG AIRFLOW_VERSION={airflow}" in dockerfile
    assert "FROM apache/airflow:${AIRFLOW_VERSION}-python3.11" in dockerfile
    assert "-r requirements.lock" in dockerfile
    for folder in ("credit", "credit_airflow", "dags"):
        assert f"COPY --chown=airflow:0 {folder} ./{folder}" in dockerfile
    assert re.search(r"^apache-airflow-providers-celery==", lock, re.M)


@pytest.mark.parametrize("name", AIRFLOW + ["airflow-init", "credit"])
def test_every_service_reads_the_bureaus_configuration(services: dict[str, dict[str, Any]], name: str) -> None:
    """The schedule (start_night, catchup), thresholds and authorities are the bureau's: without a
    configuration folder of its own the image runs the bundled sample schedule."""
    s = services[name]
    assert s["environment"]["CREDIT_CONFIG_DIR"] == "/etc/credit/config"
    mounts = {m.split(":")[1]: m for m in s["volumes"]}
    assert mounts["/etc/credit/config"].startswith("credit-config:")
    if name != "airflow-init":
        assert mounts["/etc/credit/config"].endswith(":ro")


def test_init_seeds_the_configuration_once(services: dict[str, dict[str, Any]]) -> None:
    script = services["airflow-init"]["command"][1]
    seeding = script.split("if [ ! -e /etc/credit/config/schedule.yaml ]; then", 1)  # never over a bureau's edits
    assert len(seeding) == 2
    # owned by Airflow's uid when seeded; a bureau's bind-mounted folder (read-only) is left as it is
    assert "/etc/credit/config" in seeding[1].split("\nfi\n", 1)[0].split("chown", 1)[1]
    assert "/etc/credit/config" not in seeding[1].split("\nfi\n", 1)[1]


def test_the_sample_trial_schedules_only_the_sample_nights(services: dict[str, dict[str, Any]]) -> None:
    """Unpausing the DAG after the trial's drop must run 07-13..07-15, not every night to today."""
    script = services["drop-sample"]["command"][1]
    sample = re.search(r"credit sample .*--nights (\d+) --start (\S+)", script)
    assert sample is not None
    assert "s/^start_night:.*/start_night: 2026-07-13/" in script and sample.group(2) == "2026-07-13"
    assert "s/^end_night:.*/end_night: 2026-07-15/" in script and sample.group(1) == "3"


@pytest.mark.parametrize("name", AIRFLOW + ["credit"])
def test_every_service_that_signs_gets_the_bureaus_signing_key(services: dict[str, dict[str, Any]],
                                                              name: str) -> None:
    """The workers publish anchors, `credit serve` signs certificates: each reads the key the bureau
    set in .env (docs/deploy.md "Signing key"). Without it in the compose file each used the key
    generated in its volume, not the one the bureau publishes."""
    env = services[name]["environment"]
    assert env["CREDIT_SIGNING_KEY"] == "${CREDIT_SIGNING_KEY:-}"
    assert env["CREDIT_SIGNING_KEY_FILE"] == "${CREDIT_SIGNING_KEY_FILE:-}"


def test_an_empty_signing_key_setting_is_unset(tmp_path: Path) -> None:
    """What compose passes for a key .env leaves empty means the generated key, not a refusal."""
    from credit.settings import Settings
    from credit.signing import signer_for

    s = Settings(home=tmp_path / "home", signing_key="", signing_key_file="  ")
    assert s.signing_key is None and s.signing_key_file is None
    assert signer_for(s).key_id.startswith("ed25519:")


#: Each service's database role (docs/deploy.md §3): only the init service and the owner's own
#: service, run by hand, connect as the owner of the tables.
ROLE_OF = {**{name: "credit_writer" for name in AIRFLOW}, "credit": "credit_api", "credit-auditor": "credit_auditor",
           "airflow-init": "credit", "credit-owner": "credit"}
PASSWORD_OF = {"credit_writer": "CREDIT_WRITER_PASSWORD", "credit_api": "CREDIT_API_PASSWORD",
               "credit_auditor": "CREDIT_AUDITOR_PASSWORD", "credit": "CREDIT_DB_PASSWORD"}


def _env_example() -> dict[str, str]:
    lines = (REPO / "deploy" / "env.example").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


@pytest.mark.parametrize("name", sorted(ROLE_OF))
def test_each_service_connects_as_its_own_role(services: dict[str, dict[str, Any]], name: str) -> None:
    """The public API as credit_api, the workers as credit_writer, the auditor as credit_auditor,
    each with its password from .env: a flaw in `credit serve` must not be a flaw of the owner's,
    who can disable the decision log's triggers."""
    role = ROLE_OF[name]
    url = services[name]["environment"]["CREDIT_DATABASE_URL"]
    m = re.fullmatch(r"postgresql\+psycopg://(\w+):\$\{(\w+)(:-credit|:\?[^}]+)\}@postgres:5432/credit", url)
    assert m is not None, url
    assert (m.group(1), m.group(2)) == (role, PASSWORD_OF[role])
    if role != "credit":          # a role's password is required, never a default baked into the file
        assert m.group(3).startswith(":?") and PASSWORD_OF[role] in _env_example()


def test_init_gives_the_roles_their_logins_after_the_upgrade(services: dict[str, dict[str, Any]]) -> None:
    init = services["airflow-init"]
    script = init["command"][1]
    assert script.index("credit db upgrade") < script.index("credit db roles --password-env")
    for var in ("CREDIT_WRITER_PASSWORD", "CREDIT_API_PASSWORD", "CREDIT_AUDITOR_PASSWORD"):
        assert init["environment"][var] == f"${{{var}:?set {var} in .env (docs/deploy.md §3)}}"
    for name in set(services) - {"airflow-init"}:   # no other service holds the roles' passwords
        assert not {"CREDIT_WRITER_PASSWORD", "CREDIT_API_PASSWORD", "CREDIT_AUDITOR_PASSWORD"} & set(
            services[name].get("environment") or {}), name


def _documented_runs(service_of_backup: str) -> list[str]:
    text = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.startswith("docker compose") and f"run --rm {service_of_backup} db" in line]


def test_backups_land_on_a_volume_that_outlives_the_container(services: dict[str, dict[str, Any]]) -> None:
    """`docker compose run --rm` removes the container: a dump written to its own file system was
    lost with it. The documented backup writes to /backup in the auditor's service, a named volume
    (or the bureau's bind mount), and the documented restore reads it in the owner's service."""
    doc = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    (backup,) = _documented_runs("credit-auditor")
    (restore,) = _documented_runs("credit-owner")
    assert re.search(r"db backup --out /backup/[^ ]*(\$\(date \+%F\))?[^ ]*\.dump$", backup)
    assert re.search(r"db restore /backup/\S+\.dump --database \w+", restore)
    for name, writable in (("credit-auditor", True), ("credit-owner", False)):
        s = services[name]
        assert s["entrypoint"] == ["credit"] and s["profiles"] == ["ops"] and "--profile ops" in (backup + restore)
        (mount,) = [m for m in s["volumes"] if m.split(":")[1] == "/backup"]
        source = mount.split(":")[0]
        assert source in doc["volumes"] or source.startswith("/"), mount
        assert mount.endswith(":ro") != writable
    init = services["airflow-init"]
    assert "credit-backup:/backup" in init["volumes"]   # owned by Airflow's uid, mode 700 (the dumps are 0600)
    assert re.search(r'chown "\$\{AIRFLOW_UID:-50000\}:0" /backup && chmod 700 /backup', init["command"][1])


@pytest.mark.parametrize("name", AIRFLOW)
def test_the_scheduled_retention_connects_as_the_worker_unless_the_bureau_says_otherwise(
        services: dict[str, dict[str, Any]], name: str) -> None:
    """credit_retention drops months only as the owner: the owner's URL is the bureau's choice in
    .env (with `scheduled: apply`), never a default; empty, the task runs as credit_writer (a dry run)."""
    assert services[name]["environment"]["CREDIT_RETENTION_DATABASE_URL"] == "${CREDIT_RETENTION_DATABASE_URL:-}"
    assert _env_example()["CREDIT_RETENTION_DATABASE_URL"] == ""
    assert "CREDIT_RETENTION_DATABASE_URL" not in services["credit"]["environment"]


@pytest.mark.parametrize("name", AIRFLOW + ["airflow-init"])
def test_airflows_metadata_is_its_own_roles_not_the_owners(services: dict[str, dict[str, Any]], name: str) -> None:
    """Airflow's metadata connection and Celery's result backend log in as `airflow`, owner of
    airflow_meta only: no Airflow container but the init service holds the owner's password (it
    did, in both URLs, until `credit db airflow-role`)."""
    env = services[name]["environment"]
    required = "${AIRFLOW_DB_PASSWORD:?set AIRFLOW_DB_PASSWORD in .env (docs/deploy.md §3)}"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == f"postgresql+psycopg2://airflow:{required}@postgres:5432/airflow_meta"
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"] == f"db+postgresql://airflow:{required}@postgres:5432/airflow_meta"
    if name != "airflow-init":
        assert "CREDIT_DB_PASSWORD" not in str(env), name
    assert "AIRFLOW_DB_PASSWORD" in _env_example()


def test_init_gives_airflow_its_login_before_airflow_migrates(services: dict[str, dict[str, Any]]) -> None:
    init = services["airflow-init"]
    script = init["command"][1]
    assert script.index("credit db airflow-role --database airflow_meta") < script.index("/entrypoint airflow version")
    assert init["environment"]["AIRFLOW_DB_PASSWORD"].startswith("${AIRFLOW_DB_PASSWORD:?")
