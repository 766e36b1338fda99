"""Bad config fails at start with a message that names the key; good config loads."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mailgate.config import ConfigError, load_config

REPO = Path(__file__).resolve().parent.parent


def run(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mailgate", "--config", str(config), *args],
        capture_output=True, text=True, timeout=120, cwd=REPO,
        env={**os.environ, "MAILGATE_SECRET": "a-test-secret"},
    )


def test_the_documented_example_is_valid() -> None:
    config = load_config(str(REPO / "config.toml"))
    assert config.desk.reference_prefix == "INC"
    assert config.smtp_in.port == 2525 and config.smtp_in.host == "127.0.0.1"
    assert config.smtp_out.host == "localhost" and config.smtp_out.effective_port == 25
    assert config.database_url == f"sqlite:///{REPO / 'var' / 'mailgate.db'}"
    assert config.templates_dir == REPO / "templates"
    assert config.intake.max_attachment_bytes == 20 * 1024 * 1024


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('[smtp_in]\nport = "twenty-five"\n', "smtp_in.port: Input should be a valid integer"),
        ("[smtp_in]\nport = 70000\n", "smtp_in.port: Input should be less than or equal to 65535"),
        ('[desk]\nadress = "x@y"\n', "desk.adress: unknown key"),
        ("[smtp_in]\nprot = 25\n", "smtp_in.prot: unknown key"),
        ("[smtp_inn]\nport = 25\n", "smtp_inn: unknown key"),
        ('[desk]\naddress = "Support <support@x.example>"\n',
         "desk.address: Value error, not an email address (local@domain, nothing else): "
         "'Support <support@x.example>'"),
        ('[desk]\nstaff = ["alice@x.example", "bob"]\n',
         "desk.staff: Value error, not an email address (local@domain, nothing else): 'bob'"),
        ('[[technicians]]\naddress = "Alice <alice@x.example>"\n',
         "technicians.0.address: Value error, not an email address (local@domain, nothing "
         "else): 'Alice <alice@x.example>'"),
        ('[admin]\naddress = "Ops <ops@x.example>"\n',
         "admin.address: Value error, not an email address (local@domain, nothing else)"),
        ('[schedule]\nescalation_address = "Head of IT <head@x.example>"\n',
         "schedule.escalation_address: Value error, not an email address (local@domain"),
        ('[smtp_in]\naccept = ["help@desk@x.example"]\n',
         "smtp_in.accept: Value error, not an email address (local@domain, nothing else)"),
        ('[smtp_in]\naccept = ["support@"]\n',
         "smtp_in.accept: Value error, not an address or a domain: 'support@'"),
        ('[smtp_in]\naccept = ["desk example"]\n',
         "smtp_in.accept: Value error, not an address or a domain: 'desk example'"),
        ('[desk]\ntemplates = "nowhere"\n', "desk.templates: no folder "),
        ('[desk]\ntimezone = "Mars/Olympus"\n', "desk.timezone: Value error, unknown time zone"),
        ('[intake]\nphone_region = "UK"\n',
         "intake.phone_region: Value error, unknown region 'UK'"),
        ('[database]\nurl = "not a url"\n', "database.url: Value error, not a database URL"),
        ("[smtp_out]\nstarttls = 3\n", "smtp_out.starttls: Input should be a valid boolean"),
        ('[[imap]]\nhost = "imap.example"\nusername = "u"\n',
         "imap.0: Value error, set password_env or oauth2_token_command"),
        ("[desk\n", "not valid TOML"),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, toml: str, expected: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as error:
        load_config(str(path))
    assert expected in str(error.value)
    assert str(path) in str(error.value)


def test_a_bad_desk_timezone_is_reported_once_under_its_own_key(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[desk]\ntimezone = "Mars/Olympus"\n')
    with pytest.raises(ConfigError) as error:
        load_config(str(path))
    assert str(error.value) == (
        f"{path}: desk.timezone: Value error, unknown time zone 'Mars/Olympus' (use an IANA name)"
    )


def test_own_templates_must_include_every_template(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    for template in (REPO / "templates").glob("acknowledgement.*"):
        (tmp_path / "mine" / template.name).write_text(template.read_text())
    path = tmp_path / "config.toml"
    path.write_text('[desk]\ntemplates = "mine"\n')
    done = run(path, "serve")
    assert done.returncode == 78
    assert f"desk.templates: {tmp_path / 'mine'} lacks assigned.html.j2, " in done.stderr
    assert f"(copy them from {REPO / 'templates'})" in done.stderr


def test_a_copy_of_the_example_works_from_another_folder(tmp_path: Path) -> None:
    # what an operator does first: cp config.toml /etc/mailgate/ and edit it
    path = tmp_path / "config.toml"
    path.write_text((REPO / "config.toml").read_text())
    config = load_config(str(path))
    assert config.templates_dir == REPO / "templates"
    assert config.database_url == f"sqlite:///{tmp_path / 'var' / 'mailgate.db'}"
    done = run(path, "check-config")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"templates  {REPO / 'templates'}" in done.stdout


def test_serve_with_a_wrong_type_says_so_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[smtp_in]\nport = "twenty-five"\n')
    done = run(path, "serve")
    assert done.returncode == 78
    assert "bad config" in done.stderr
    assert "smtp_in.port: Input should be a valid integer" in done.stderr
    assert "(got 'twenty-five')" in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_config_file(tmp_path: Path) -> None:
    done = run(tmp_path / "nowhere.toml", "check-config")
    assert done.returncode == 78
    assert "no such config file" in done.stderr


def test_serve_refuses_an_out_of_date_schema(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "sqlite:///{tmp_path}/fresh.db"\n')
    done = run(path, "serve")
    assert done.returncode == 78
    assert "run `mailgate db upgrade` first" in done.stderr
    assert run(path, "db", "upgrade").returncode == 0
    assert run(path, "db", "status").returncode == 0


def test_config_from_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "elsewhere.toml"
    path.write_text('[desk]\nname = "Elsewhere"\n')
    monkeypatch.setenv("MAILGATE_CONFIG", str(path))
    assert load_config().desk.name == "Elsewhere"


def test_the_command_reads_mailgate_config_and_config_wins(tmp_path: Path) -> None:
    from_env, given = tmp_path / "from-env.toml", tmp_path / "given.toml"
    from_env.write_text('[desk]\nname = "From the environment"\n')
    given.write_text('[desk]\nname = "Given"\n')

    def check(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "mailgate", *args, "check-config"],
            capture_output=True, text=True, timeout=120, cwd=tmp_path,
            env={**os.environ, "MAILGATE_SECRET": "s", "MAILGATE_CONFIG": str(from_env)},
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert check().startswith(f"{from_env}: OK\n  desk       From the environment <")
    assert check("--config", str(given)).startswith(f"{given}: OK\n  desk       Given <")


def test_serve_refuses_a_database_one_migration_behind(tmp_path: Path) -> None:
    from alembic import command

    from mailgate.db import _alembic_config, make_engine

    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "sqlite:///{tmp_path}/old.db"\n')
    engine = make_engine(f"sqlite:///{tmp_path}/old.db")
    alembic = _alembic_config()
    with engine.begin() as connection:
        alembic.attributes["connection"] = connection
        command.upgrade(alembic, "0002")  # what the previous release left
    engine.dispose()
    done = run(path, "serve")
    assert done.returncode == 78
    assert "the database is at revision 0002, but this mailgate needs revision" in done.stderr
    assert "run `mailgate db upgrade` first" in done.stderr
    assert run(path, "db", "upgrade").returncode == 0
    assert run(path, "db", "status").returncode == 0  # current = latest


def test_desk_sections_share_the_policy_sections_base() -> None:
    # One base for every config section: misspelt keys are errors, values immutable.
    from tickets import desk, policy

    assert desk.Section is policy.Section
    assert issubclass(desk.Desk, policy.Section)


def test_a_named_password_variable_that_is_not_set_stops_serve(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path}/x.db"\n'
        '[smtp_out]\nsecurity = "starttls"\nusername = "desk"\n'
        'password_env = "MAILGATE_TEST_UNSET_SMTP_PASSWORD"\n'
    )
    assert run(path, "db", "upgrade").returncode == 0
    done = run(path, "serve")
    assert done.returncode == 78
    assert (
        "smtp_out.password_env: the environment variable MAILGATE_TEST_UNSET_SMTP_PASSWORD "
        "is not set" in done.stderr
    )
    checked = run(path, "check-config")
    assert checked.returncode == 1
    assert "ERROR      smtp_out.password_env" in checked.stdout


def test_the_business_hours_example_in_config_toml_loads(tmp_path: Path) -> None:
    """The commented [business_hours] example, uncommented, is valid and does what it says."""
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    block = text[text.index("# [business_hours]"):text.index("# The clock:")]
    path = tmp_path / "config.toml"
    path.write_text("\n".join(line[2:] for line in block.strip().splitlines()))
    calendar = load_config(str(path)).calendar()
    assert not calendar.is_open(datetime(2026, 12, 28, 10, tzinfo=UTC))  # a bank holiday
    assert not calendar.is_open(datetime(2026, 12, 22, 7, 45, tzinfo=UTC))  # school holidays
    assert calendar.is_open(datetime(2026, 12, 22, 8, tzinfo=UTC))
    assert calendar.is_open(datetime(2027, 1, 5, 7, 45, tzinfo=UTC))  # term time again


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('[[companies]]\nname = "X"\nsla_profile = "concer"\n',
         "config.toml: companies[0].sla_profile: unknown SLA profile 'concer'; "
         "known: default, concero\n"),
        ('default_priority = "critical"\ninitial_status = "new"\n',
         "config.toml: initial_status: unknown status 'new'; known: open,"),
        ('default_priority = "critical"\n',
         "config.toml: default_priority: unknown priority 'critical'; known: low, medium,"),
    ],
)
def test_policy_mistakes_across_sections_name_their_key(
    tmp_path: Path, toml: str, expected: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as error:
        load_config(str(path))
    message = str(error.value)
    assert expected in message + "\n"
    assert "(top level)" not in message and "base_dir" not in message  # no dump of the file


def test_a_bad_desk_time_zone_is_reported_once(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[desk]\ntimezone = "Europe/Lundon"\n')
    with pytest.raises(ConfigError) as error:
        load_config(str(path))
    assert str(error.value).count("unknown time zone 'Europe/Lundon'") == 1


def test_check_config_says_what_the_clock_runs_on(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[desk]\ntemplates = "{REPO / "templates"}"\n'
                    '[[companies]]\nname = "St Mary\'s"\ndomains = ["stmarys.example"]\n'
                    '[business_hours]\nholidays = [2026-12-25]\n')
    done = run(path, "check-config")
    assert done.returncode == 0, done.stderr
    assert "priorities low 1 week/none; medium 1 business day/3 business days;" in done.stdout
    assert "1 holiday(s)" in done.stdout and "holidays is empty" not in done.stdout
    assert "companies[0] (St Mary's) has no rota_days" in done.stdout
