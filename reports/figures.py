"""How a report rounds the figures it shows: one rule for the page, Excel and PDF.

Shares and points are kept exact (``Fraction``) while a report is computed.
When a figure is shown it is rounded *half up* (a half goes away from zero)
to the decimals shown, from that exact value: two decimals for a percentage
(88,89 %) and for points (4,76). The page, the PDF and the Excel file call
these functions, so a person comparing them sees the same digits; Excel gets
the rounded value with a number format of the same decimals, so its own
sums agree with what is printed too.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

# Decimals shown for a percentage and for points.
PLACES = 2

Exact = int | Fraction | Decimal | float


def half_up(value: Exact | None, places: int = PLACES) -> Decimal | None:
    """``value`` rounded half up to ``places`` decimals, computed from its exact value.

    A float is taken as the exact binary number it holds; pass a ``Fraction``
    (a count divided by a count) to round a ratio exactly.
    """
    if value is None:
        return None
    exact = Fraction(value)
    scaled = abs(exact) * 10**places
    whole = int(scaled)  # floor, the value being positive here
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    sign = -1 if exact < 0 else 1
    return Decimal(sign * whole).scaleb(-places)


def percent(share: Exact | None) -> Decimal | None:
    """A share (0-1) as the percentage shown: 0.888… → Decimal('88.89')."""
    if share is None:
        return None
    return half_up(Fraction(share) * 100, PLACES)


def shown_share(share: Exact | None) -> Decimal | None:
    """The share that the shown percentage stands for: 0.888… → Decimal('0.8889')."""
    shown = percent(share)
    return None if shown is None else shown.scaleb(-2)


def amount(value: Exact | None) -> Decimal | int | None:
    """A figure as shown: whole numbers as they are, others with two decimals.

    The decimals depend on the rounded value, so 19.999 shows as 20 wherever it is shown.
    """
    if value is None:
        return None
    if isinstance(value, int):
        return value
    rounded = half_up(value, PLACES)
    assert rounded is not None
    return int(rounded) if rounded == rounded.to_integral_value() else rounded


def excel_cell(value: object, is_percent: bool = False) -> tuple[object, str | None]:
    """(value, number format) for an Excel cell that shows what the page shows.

    The value is the number rounded as shown (so the cell and any sum of cells agree with
    the page), and the format has the same decimals: ``0.00%`` for a share, ``#,##0.00``
    for a figure with decimals, ``#,##0`` for a whole number.
    """
    if value is None or isinstance(value, str | bool):
        return value, None
    if not isinstance(value, int | float | Decimal | Fraction):
        return value, None
    if is_percent:
        share = shown_share(value)
        return (None if share is None else float(share)), "0." + "0" * PLACES + "%"
    shown = amount(value)
    if shown is None or isinstance(shown, int):
        return shown, "#,##0"
    return float(shown), "#,##0." + "0" * PLACES
