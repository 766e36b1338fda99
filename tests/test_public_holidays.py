"""`[business_hours] holidays_from`: a country's public holidays close the desk, from the
holidays package, beside the desk's own dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from mailgate.config import ConfigError, load_config
from tickets.calendar import BusinessCalendar
from tickets.public_holidays import check

# Monday 31 August 2026 is England's late summer bank holiday, and not Scotland's.
BANK_HOLIDAY = date(2026, 8, 31)
FRIDAY_AFTERNOON = datetime(2026, 8, 28, 15, 0, tzinfo=UTC)  # 16:00 in London


def test_a_code_is_a_country_and_its_subdivision() -> None:
    assert check("gb-eng") == "GB-ENG"
    assert check("DE") == "DE"
    with pytest.raises(ValueError, match="GB's subdivisions: ENG, NIR, SCT, WLS"):
        check("GB-XYZ")
    with pytest.raises(ValueError, match="ISO 3166 country code"):
        check("Narnia")


def test_englands_bank_holiday_closes_an_english_desk_and_not_a_scottish_one() -> None:
    england = BusinessCalendar("Europe/London", public_holidays="GB-ENG")
    scotland = BusinessCalendar("Europe/London", public_holidays="GB-SCT")
    assert england.is_holiday(BANK_HOLIDAY) and not scotland.is_holiday(BANK_HOLIDAY)
    # four working hours from Friday 16:00 end on Tuesday in England, on Monday in Scotland
    assert england.add_business_seconds(FRIDAY_AFTERNOON, 4 * 3600).date() == date(2026, 9, 1)
    assert scotland.add_business_seconds(FRIDAY_AFTERNOON, 4 * 3600).date() == BANK_HOLIDAY
    # any year, not only the ones someone typed in
    assert england.is_holiday(date(2031, 12, 25)) and not england.is_holiday(date(2031, 12, 24))


def test_the_config_key_reaches_the_sla_clock(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[business_hours]\nholidays_from = "gb-eng"\nholidays = [2026-09-01]\n')
    hours = load_config(str(path)).business_hours
    assert hours.holidays_from == "GB-ENG"
    calendar = hours.calendar()
    # the public holiday and the desk's own day, both closed: Wednesday is the next working day
    assert calendar.is_holiday(BANK_HOLIDAY) and calendar.is_holiday(date(2026, 9, 1))
    assert calendar.add_business_seconds(FRIDAY_AFTERNOON, 4 * 3600).date() == date(2026, 9, 2)


def test_an_unknown_country_fails_at_start_naming_the_key(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[business_hours]\nholidays_from = "GB-XYZ"\n')
    with pytest.raises(ConfigError) as error:
        load_config(str(path))
    assert str(error.value).startswith(f"{path}: business_hours.holidays_from: ")
    assert "no public holidays known for 'GB-XYZ'" in str(error.value)


def test_check_config_says_which_public_holidays_the_clock_keeps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mailgate.cli import main

    monkeypatch.setenv("MAILGATE_SECRET", "s")
    path = tmp_path / "config.toml"
    path.write_text('[business_hours]\nholidays_from = "GB-ENG"\n')
    assert main(["--config", str(path), "check-config"]) == 0
    out = capsys.readouterr().out
    assert "0 holiday(s) and the public holidays of GB-ENG" in out
    assert "public holidays count as working days" not in out
