"""Small counts by perspective are hidden (the reports and a gathering's composition)."""
from gatherings.attendance.small_counts import suppress


def test_suppress_hides_small_counts_and_their_complements():
    rows = [[10, 3, 0], [8, 7, 6]]
    cells, totals = suppress(rows, 5)
    assert cells[0][1] is None  # 3 < 5
    # The first row's total (13) would give the 3 away with only one cell hidden.
    assert sum(1 for v in cells[0] if v is None) >= 2
    # Column 1 (3 + 7 = 10 shown) would give it away too.
    assert sum(1 for row in cells for v in [row[1]] if v is None) >= 2
    assert totals[0] == 18


def test_suppress_no_line_with_a_single_hidden_cell():
    rows = [[1, 0, 0, 9], [0, 0, 2, 9], [12, 14, 6, 9]]
    cells, totals = suppress(rows, 5)
    lines = [list(r) for r in cells] + [list(c) for c, t in zip(zip(*cells), totals) if t is not None] + [totals]
    for line in lines:
        assert sum(1 for v in line if v is None) != 1, line
    assert all(v is None or v == 0 or v >= 5 for row in cells for v in row)


def test_suppress_leaves_big_counts():
    cells, totals = suppress([[5, 6], [0, 0]], 5)
    assert cells == [[5, 6], [0, 0]] and totals == [5, 6]


def test_suppress_can_hide_zeros_so_that_which_cells_are_hidden_does_not_follow_the_counts():
    (one_client,), _ = suppress([[1, 0, 0, 7]], 5, hide_zeros=True)
    (client_and_manager,), _ = suppress([[1, 0, 1, 7]], 5, hide_zeros=True)
    assert one_client == client_and_manager == [None, None, None, 7]
    # Without: the zero hidden beside a single small count changes, and gives the newcomer away.
    (plain,), _ = suppress([[1, 0, 0, 7]], 5)
    assert plain == [None, None, 0, 7]
