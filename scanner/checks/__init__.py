"""Checks: pure functions from an account's facts to findings, with their metadata as data."""

from scanner.checks.boxes import evaluate_boxes, unreachable_findings
from scanner.checks.catalog import BOXES, CHECK_IDS, Check
from scanner.checks.extended import evaluate_extended, unreachable_extended
from scanner.checks.extended_catalog import ALL_CHECK_IDS, ALL_CHECKS, EXTENDED, EXTENDED_IDS
from scanner.checks.outcome import UserFinding
from scanner.checks.references import Framework, references_for
from scanner.checks.thresholds import Thresholds, load_thresholds

__all__ = [
    "ALL_CHECKS", "ALL_CHECK_IDS", "BOXES", "CHECK_IDS", "EXTENDED", "EXTENDED_IDS", "Check", "Framework",
    "Thresholds", "UserFinding", "evaluate_boxes", "evaluate_extended", "load_thresholds", "references_for",
    "unreachable_extended", "unreachable_findings",
]
