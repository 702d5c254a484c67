"""Helpers shared by the simulation tests: client options and member-account credentials."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.config import Config

from scanner.simulation.server import SimulatedAws

NOW = datetime(2026, 11, 28, 0, 0, 0)
ACCESS_ROLE = "OrganizationAccountAccessRole"
NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=10)


def member_session(sim: SimulatedAws, account_id: str, **client_options: Any) -> dict[str, Any]:
    """Credentials for the member account's access role, as a scanner would get them."""
    sts = sim.client("sts", **client_options)
    credentials = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/{ACCESS_ROLE}", RoleSessionName="orgscan-test"
    )["Credentials"]
    return {
        "aws_access_key_id": credentials["AccessKeyId"],
        "aws_secret_access_key": credentials["SecretAccessKey"],
        "aws_session_token": credentials["SessionToken"],
    }


def member_client(sim: SimulatedAws, account_id: str, service: str = "iam", **client_options: Any) -> Any:
    return sim.client(service, **member_session(sim, account_id), **client_options)
