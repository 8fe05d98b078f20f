"""The simulation's numbers: how many dossiers arrive, where, how, and what befalls them."""

from __future__ import annotations

from catalog.models import OnlineLevel

# Midweek arrivals per day are realistic numbers (a ward center 15-40, the
# provincial center 60-120) times this share. The services cost about 3 ms a
# call on SQLite, ~30 ms a dossier (twice that on PostgreSQL): a full year at
# 1.0 (~60,000 dossiers) takes half an hour, at the default (~2,500) a minute
# and a half.
DEFAULT_VOLUME = 0.04
PROVINCIAL_BASE = 90.0
WARD_BASE = (35.0, 40.0, 22.0, 16.0, 28.0, 19.0)

# Monday about 1.6 times a midweek day ("especially on Mondays").
WEEKDAY_FACTOR = (1.6, 1.15, 1.0, 1.0, 0.9, 1.0, 1.0)
# The year-end rush of seed 004 (Q4), a busy January before Tết, a quiet Tết month.
MONTH_FACTOR = (1.1, 0.85, 1.0, 1.0, 1.0, 1.0, 1.0, 1.05, 1.0, 1.05, 1.3, 1.3)
AFTER_BREAK_FACTOR = 1.7  # the first working day after three or more days off
NON_WORKING_ONLINE = 0.12  # online filings on a weekend or holiday, per midweek day

# Where people file: province-level procedures mostly at the provincial
# center, ward-level ones mostly at their ward's center.
ELSEWHERE_SHARE = 0.12

# Share filed online by the procedure's online level; the rest at the desk, a few by post.
ONLINE_SHARE: dict[str, float] = {
    OnlineLevel.FULL: 0.62,
    OnlineLevel.PARTIAL: 0.38,
    OnlineLevel.NONE: 0.0,
}
POST_SHARE = 0.03

REFUSE_AT_RECEPTION = 0.015
WITHDRAW = 0.01
SUPPLEMENT = 0.07
SUPPLEMENT_ABANDONED = 0.08  # of supplements: the papers never come, processing stops
# Land and construction: the financial obligation is assessed during processing.
LAND_FIELDS = frozenset({"DAT_DAI", "XAY_DUNG"})
FEES_LAND = 0.5
FEES_OTHER = 0.03
LATE = 0.03
EXTEND = 0.008
RESULT_REFUSED = 0.015
RETURNING = 0.12  # an applicant already seen at this center
