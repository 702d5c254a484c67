"""Checks: pure functions from an account's facts to findings, with their metadata as data."""

from scanner.checks.boxes import evaluate_boxes, unreachable_findings
from scanner.checks.catalog import BOXES, CHECK_IDS, Check

__all__ = ["BOXES", "CHECK_IDS", "Check", "evaluate_boxes", "unreachable_findings"]
