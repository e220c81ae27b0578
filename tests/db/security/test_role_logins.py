"""`credit db roles --password-env`: the compose file's init service gives each least-privilege role
its login and password from the environment (docs/deploy.md §3), so no service runs as the owner."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from typer.testing import CliRunner

from credit.cli.main import app
from credit.roles import ROLE_PASSWORD_ENV, scram_verifier
from credit.settings import Settings

runner = CliRunner()
PASSWORDS = {"credit_writer": "w-secret'; drop table x; --", "credit_api": "api pass", "credit_auditor": "aud$$it"}


@pytest.fixture()
def nologin(engine: Engine) -> Iterator[None]:
    """Roles are the server's, shared by every test database: each test leaves them as migration 0013 made them."""
    yield
    with engine.begin() as c:
        for role in ROLE_PASSWORD_ENV:
            c.exec_driver_sql(f"alter role {role} nologin password null")


def _stored(engine: Engine) -> dict[str, tuple[bool, str | None]]:
    with engine.connect() as c:   # the tests' login is a superuser: pg_authid is readable
        rows = c.execute(sa.text("select rolname, rolcanlogin, rolpassword from pg_authid "
                                 "where rolname in ('credit_writer', 'credit_api', 'credit_auditor')")).all()
    return {str(r[0]): (bool(r[1]), r[2]) for r in rows}


def _accepts(verifier: str, password: str) -> bool:
    """What the server checks at a SCRAM login: the stored keys derive from the password."""
    head, keys = verifier.split("$", 1)[1].split("$")
    iterations, salt = head.split(":")
    return scram_verifier(password, base64.b64decode(salt), int(iterations)) == verifier


def test_password_env_gives_each_role_a_login_and_its_password(cli_env: Settings, engine: Engine, nologin: None,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    assert all(not login for login, _ in _stored(engine).values())   # NOLOGIN, as migration 0013 made them
    for role, var in ROLE_PASSWORD_ENV.items():
        monkeypatch.setenv(var, PASSWORDS[role])
    done = runner.invoke(app, ["db", "roles", "--password-env"])
    assert done.exit_code == 0, done.output
    stored = _stored(engine)
    for role, password in PASSWORDS.items():
        login, verifier = stored[role]
        assert login and verifier is not None and verifier.startswith("SCRAM-SHA-256$4096:")
        assert _accepts(verifier, password) and not _accepts(verifier, password + "x")
        assert password not in done.output
    # a service connecting as its role is that role (the embedded server trusts local logins)
    url = make_url(str(cli_env.database_url)).set(username="credit_api", password=PASSWORDS["credit_api"])
    api = sa.create_engine(url)
    try:
        with api.connect() as c:
            assert c.execute(sa.text("select current_user")).scalar() == "credit_api"
    finally:
        api.dispose()
    # again, with a new password for one role only: the others keep theirs
    before = stored
    for var in ROLE_PASSWORD_ENV.values():
        monkeypatch.delenv(var)
    monkeypatch.setenv("CREDIT_API_PASSWORD", "rotated")
    assert runner.invoke(app, ["db", "roles", "--password-env"]).exit_code == 0
    after = _stored(engine)
    assert _accepts(str(after["credit_api"][1]), "rotated")
    assert after["credit_writer"] == before["credit_writer"] and after["credit_auditor"] == before["credit_auditor"]


def test_without_a_password_or_with_an_unusable_one_nothing_changes(cli_env: Settings, engine: Engine, nologin: None,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ROLE_PASSWORD_ENV.values():
        monkeypatch.delenv(var, raising=False)
    before = _stored(engine)
    none = runner.invoke(app, ["db", "roles", "--password-env"])
    assert none.exit_code == 2 and "CREDIT_WRITER_PASSWORD" in none.output
    monkeypatch.setenv("CREDIT_WRITER_PASSWORD", "good")
    monkeypatch.setenv("CREDIT_API_PASSWORD", "口令")
    bad = runner.invoke(app, ["db", "roles", "--password-env"])
    assert bad.exit_code == 2 and "printable ASCII" in bad.output and "Traceback" not in bad.output
    assert _stored(engine) == before
    listed = runner.invoke(app, ["db", "roles"])            # without the option: the roles' state only
    assert listed.exit_code == 0 and "credit_auditor" in listed.output


def test_only_the_three_roles_can_be_given_a_login() -> None:
    from credit.roles import RolesError, give_logins

    with pytest.raises(RolesError, match="not a role of this system"):   # refused before any statement
        give_logins(None, {"postgres": "x"})  # type: ignore[arg-type]


@pytest.mark.parametrize("password", ["p@ss", "p%41ss"])
def test_a_password_the_services_urls_would_misread_is_refused(password: str) -> None:
    """docker-compose.yml writes each password into its service's CREDIT_DATABASE_URL as it is: an
    '@' there ends the password (the workers connected to host 'ss@postgres'), a '%41' is read as
    'A'. Set all the same, the role's login worked nowhere; refused, nothing changed."""
    from credit.roles import RolesError, give_logins

    with pytest.raises(RolesError, match="CREDIT_DATABASE_URL"):   # refused before any statement
        give_logins(None, {"credit_writer": password})  # type: ignore[arg-type]
