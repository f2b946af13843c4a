"""Amsterdam wall-clock time: the hour that does not exist and the hour that happens twice."""
from datetime import datetime, timezone

import pytest

from gatherings.timeutil import (SUMMER_TIME, WINTER_TIME, SkippedTime, doubled_hour_side, from_local, is_doubled,
                                 is_skipped)

UTC = timezone.utc


@pytest.mark.parametrize("year, march, october", [(2026, 29, 25), (2027, 28, 31)])
def test_both_clock_changes_of_a_year(year, march, october):
    assert is_skipped(datetime(year, 3, march, 2, 0)) and is_skipped(datetime(year, 3, march, 2, 59))
    assert not is_skipped(datetime(year, 3, march, 1, 59)) and not is_skipped(datetime(year, 3, march, 3, 0))
    with pytest.raises(SkippedTime):
        from_local(datetime(year, 3, march, 2, 30))

    assert is_doubled(datetime(year, 10, october, 2, 0)) and is_doubled(datetime(year, 10, october, 2, 59))
    assert not is_doubled(datetime(year, 10, october, 1, 59)) and not is_doubled(datetime(year, 10, october, 3, 0))
    first = from_local(datetime(year, 10, october, 2, 30))
    second = from_local(datetime(year, 10, october, 2, 30), WINTER_TIME)
    assert first == datetime(year, 10, october, 0, 30, tzinfo=UTC)
    assert second == datetime(year, 10, october, 1, 30, tzinfo=UTC)
    assert (doubled_hour_side(first), doubled_hour_side(second)) == (SUMMER_TIME, WINTER_TIME)
    assert doubled_hour_side(datetime(year, 10, october, 2, 0, tzinfo=UTC)) is None  # 03:00 CET
    assert doubled_hour_side(datetime(year, 7, 1, 0, 30, tzinfo=UTC)) is None
