"""The load test's arithmetic and report (the timed run itself is `make loadtest`, not part of the suite)."""

import pytest

from loadtest.liveserver import is_postgres
from loadtest.run import Result, format_table, percentile, summarise


def test_percentile_is_nearest_rank():
    values = [float(n) for n in range(1, 101)]  # 1..100
    assert percentile(values, 50) == 50.0
    assert percentile(values, 95) == 95.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile(values, 0) == 1.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0  # unsorted input
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) == 0.0
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_summary_counts_failures_and_server_errors_per_kind():
    results = [
        Result("detail", 200, 10.0),
        Result("detail", 200, 30.0),
        Result("patch", 200, 50.0),
        Result("patch", 412, 20.0),  # lost a race: expected, not a failure
        Result("patch", 500, 90.0),
        Result("create", 201, 40.0),
        Result("create", 0, 1000.0),  # no answer
        Result("list", 400, 5.0),  # unexpected, but not a server error
    ]
    rows = {row.kind: row for row in summarise(results)}
    assert [row.kind for row in summarise(results)] == ["list", "detail", "patch", "create", "total"]
    assert (rows["detail"].requests, rows["detail"].failures, rows["detail"].p50) == (2, 0, 10.0)
    assert (rows["patch"].failures, rows["patch"].server_errors, rows["patch"].max) == (1, 1, 90.0)
    assert rows["patch"].statuses == {200: 1, 412: 1, 500: 1}
    assert (rows["create"].failures, rows["create"].server_errors) == (1, 1)
    assert (rows["list"].failures, rows["list"].server_errors) == (1, 0)
    total = rows["total"]
    assert (total.requests, total.failures, total.server_errors, total.max) == (8, 3, 2, 1000.0)


def test_table_has_a_line_per_kind_with_the_rate():
    table = format_table(summarise([Result("feed", 200, 12.0), Result("feed", 200, 14.0)]), seconds=2.0)
    header, feed, total = table.splitlines()
    assert header.split()[:4] == ["kind", "requests", "req/s", "failures"]
    assert feed.split()[:5] == ["feed", "2", "1.0", "0", "0"]
    assert feed.endswith("200:2") and total.startswith("total")


def test_postgres_urls_are_recognised():
    assert is_postgres("postgres://postgres@127.0.0.1:5432/tracker")
    assert is_postgres("postgresql://u:p@db/tracker")
    assert not is_postgres("sqlite:////tmp/x.sqlite3")
    assert not is_postgres(None)
