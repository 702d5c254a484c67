"""Which benchmark a report speaks: the `--framework` choice and each check's control ids in it.

Reports show one mapping column (CIS v5.0, CIS v3.0 or Security Hub), chosen per run; the data is the
`references` of each check's metadata, so the five boxes and the extended checks are mapped alike.
"""

from __future__ import annotations

from enum import StrEnum

from scanner.checks.extended_catalog import CHECKS_BY_ID, CIS_V3, CIS_V5, SECURITY_HUB


class Framework(StrEnum):
    """The mapping a report shows next to each check (`--framework`)."""

    CIS_V5 = "cis-v5"
    CIS_V3 = "cis-v3"
    SECURITY_HUB = "securityhub"

    @property
    def label(self) -> str:
        """The column title: how the framework is named in each check's references."""
        return FRAMEWORK_LABELS[self]


FRAMEWORK_LABELS: dict[Framework, str] = {
    Framework.CIS_V5: CIS_V5,
    Framework.CIS_V3: CIS_V3,
    Framework.SECURITY_HUB: SECURITY_HUB,
}
DEFAULT_FRAMEWORK = Framework.CIS_V5


def references_for(check_id: str, framework: Framework | str) -> str:
    """The check's control ids in `framework` (`"1.13"`, `"IAM.3"`, `"1.7, 1.8"`), or "" when it has none.

    Raises KeyError for an unknown check id and ValueError for an unknown framework, so a typo in a
    template fails loudly instead of printing an empty column.
    """
    label = Framework(framework).label
    check = CHECKS_BY_ID[check_id]
    return next((control for name, control in check.references if name == label), "")
