"""Thresholds as configuration: the shipped file equals the defaults; every mistake is one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.checks.thresholds import Thresholds, load_thresholds, thresholds_from_mapping
from scanner.config import load_config
from scanner.errors import ConfigError

SHIPPED = Path(__file__).parents[2] / "config" / "checks.toml"


def test_shipped_checks_file_holds_the_cis_defaults() -> None:
    assert load_thresholds(str(SHIPPED)) == Thresholds() == Thresholds(30, 90, 45, 14, 24)
    assert load_thresholds(None) == load_thresholds("") == Thresholds()


def test_a_file_may_set_only_some_keys(tmp_path: Path) -> None:
    path = tmp_path / "checks.toml"
    path.write_text("key_rotation_days = 60\n")
    assert load_thresholds(path) == Thresholds(key_rotation_days=60)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("key_rotation_days = = 3\n", "is not valid TOML"),
        ("key_rotaton_days = 60\n", "unknown setting 'key_rotaton_days'"),
        ('password_reuse = "24"\n', "'password_reuse' must be a whole number"),
        ("password_reuse = true\n", "'password_reuse' must be a whole number"),
        ("password_reuse = 24.0\n", "'password_reuse' must be a whole number"),
        ("password_reuse = 25\n", "'password_reuse' must be between 1 and 24"),
        ("password_min_length = 5\n", "'password_min_length' must be between 6 and 128"),
        ("root_use_days = 0\n", "'root_use_days' must be between 1 and 3650"),
        ("[thresholds]\nroot_use_days = 3\n", "unknown setting 'thresholds'"),
    ],
)
def test_bad_checks_file_is_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "checks.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as info:
        load_thresholds(path)
    assert "\n" not in str(info.value)


def test_missing_or_binary_checks_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="checks file not found"):
        load_thresholds(tmp_path / "nope.toml")
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError, match=r"checks file .* is not"):
        load_thresholds(binary)


def test_config_loads_the_checks_file_at_start(tmp_path: Path) -> None:
    path = tmp_path / "checks.toml"
    path.write_text("unused_credentials_days = 90\n")
    config = load_config(None, {"checks_file": str(path), "framework": "securityhub"})
    assert config.thresholds == Thresholds(unused_credentials_days=90)
    assert config.framework == "securityhub"
    assert load_config(None).thresholds == Thresholds() and load_config(None).framework == "cis-v7"
    assert config.digest() != load_config(None, {"framework": "securityhub"}).digest()  # thresholds count
    path.write_text("unused_credentials_days = -1\n")
    with pytest.raises(ConfigError, match="between 1 and 3650"):
        load_config(None, {"checks_file": str(path)})


def test_config_file_may_point_at_the_checks_file_but_not_set_thresholds(tmp_path: Path) -> None:
    config_path = tmp_path / "orgscan.toml"
    config_path.write_text(f'checks_file = "{SHIPPED}"\nframework = "cis-v3"\n')
    assert load_config(str(config_path)).framework == "cis-v3"
    config_path.write_text("[thresholds]\nroot_use_days = 3\n")
    with pytest.raises(ConfigError, match="unknown setting 'thresholds'"):
        load_config(str(config_path))
    config_path.write_text('framework = "nist"\n')
    with pytest.raises(ConfigError, match="--framework: 'nist' is not one of cis-v7, cis-v6, cis-v5, cis-v3, "
                       "securityhub"):
        load_config(str(config_path))


def test_recorded_thresholds_are_validated_like_a_file() -> None:
    assert thresholds_from_mapping(Thresholds().to_json(), "run.json") == Thresholds()
    with pytest.raises(ConfigError, match=r"^run\.json: 'password_reuse' must be between 1 and 24, got 99$"):
        thresholds_from_mapping({"password_reuse": 99}, "run.json")
