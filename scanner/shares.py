"""One rule for a share as a whole percentage, wherever orgscan prints one (the report, `orgscan history`).

Floored, so 100 % means every applicable account passed and 99 % is never shown as 100 %; 0 % means none
did, so a share above zero but under one percent reads `< 1 %`; `n/a` when nothing applies.
"""

from __future__ import annotations

NO_SHARE = "n/a"


def share_percent(passed: int, applicable: int, *, space: str = "\u00a0") -> str:
    """`passed` of `applicable` as `76 %` (10 of 13); `space` goes between the number and the sign."""
    if applicable <= 0:
        return NO_SHARE
    if 0 < passed < applicable and passed * 100 < applicable:
        return f"<{space}1{space}%"
    return f"{min(passed, applicable) * 100 // applicable}{space}%"
