"""Intake with the dossier's write left out, to measure what the rest of the request costs.

The first intake is written as usual; every later one answers that same
dossier again. A request still reads the bearer token and roles, reads and
checks its body and answers the full dossier, but writes nothing: what is
left is the most an intake could gain from a faster write.
"""

from collections.abc import Callable
from typing import Any


def write_skipped() -> Callable[[], None]:
    """Make ``dossiers.services.dossier_intake`` write once, then answer that dossier;
    answer the function that puts the real one back."""
    import dossiers.services

    written = dossiers.services.dossier_intake
    first: list[Any] = []

    def answered_only(**arguments: Any) -> Any:
        if not first:
            first.append(written(**arguments))
        return first[0]

    dossiers.services.dossier_intake = answered_only  # type: ignore[assignment]

    def undo() -> None:
        dossiers.services.dossier_intake = written

    return undo
