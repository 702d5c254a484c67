"""Configuration: defaults, a TOML file, options; every mistake is one clear line."""

from pathlib import Path

import pytest

from scanner.config import load_config
from scanner.errors import ConfigError


def test_shipped_configuration_file_loads() -> None:
    config = load_config(str(Path(__file__).parents[2] / "config" / "orgscan.toml"))
    assert config.role_name == "OrganizationAccountAccessRole" and config.workers == 16


def test_options_override_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('workers = 4\nrole_name = "Audit"\n[credential_report]\ndeadline_s = 5\n')
    config = load_config(str(path), {"workers": 8, "role_name": None})
    assert (config.workers, config.role_name, config.credential_report.deadline_s) == (8, "Audit", 5.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("wrokers = 4\n", "unknown setting 'wrokers'"),
        ('workers = "four"\n', "setting 'workers' must be of type int"),
        ("[credential_report]\ndeadline = 3\n", "unknown setting 'credential_report.deadline'"),
        ("workers = 0\n", "--workers must be between 1 and 256"),
        ('accounts = ["12345"]\n', "'12345' is not a 12-digit AWS account id"),
        ("workers = = 3\n", "not valid TOML"),
    ],
)
def test_bad_configuration_is_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as info:
        load_config(str(path))
    assert "\n" not in str(info.value)


def test_missing_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_config(str(tmp_path / "nope.toml"))


def test_leading_zero_account_ids_stay_strings() -> None:
    assert load_config(None, {"accounts": ("012345678901",)}).accounts == ("012345678901",)


def test_access_analyzer_is_off_unless_turned_on(tmp_path: Path) -> None:
    assert load_config(None).access_analyzer is False
    path = tmp_path / "c.toml"
    path.write_text("access_analyzer = true\n")
    assert load_config(str(path)).access_analyzer is True
    assert load_config(None, {"access_analyzer": True}).access_analyzer is True
    assert load_config(None, {"access_analyzer": True}).digest() != load_config(None).digest()
    path.write_text('access_analyzer = "yes"\n')
    with pytest.raises(ConfigError, match="setting 'access_analyzer' must be of type bool"):
        load_config(str(path))
