"""The benchmark: build synthetic data at each size, time the API, the reports and the sync walks, write results.

Run it with ``make bench`` (sizes 1,000 / 10,000 / 100,000) or ``make bench SIZE=small`` (200 / 1,000). Requests go
through Django's test client in this process (no HTTP server, no network): the "server" and the "client" share one
process, so one tracemalloc peak covers both.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import data, imports  # noqa: E402
from core.api.pagination import Cursor, _signature, sort_keys  # noqa: E402
from core.changes import latest_seq  # noqa: E402
from recommendations.choices import Status  # noqa: E402
from recommendations.filtersets import RecommendationFilterSet  # noqa: E402
from recommendations.models import Recommendation  # noqa: E402
from recommendations.services import recommendation_change_status  # noqa: E402

SIZES = {"full": [1_000, 10_000, 100_000], "small": [200, 1_000]}
RESULTS = Path(__file__).resolve().parent / "results.json"
CLIENT = "Django test client, in process (server and client share one process)"
PAGE = 100
LIST = "/api/v1/recommendations/"
BASELINE = "/bench/baseline/recommendations/"
FILTER = "partner=partner-1&status=in_progress"
#: A quarter in the thick of the data's history (the last 91 days hold few changes): at 100,000 recommendations about
#: 12,000 moved in it and 9,000 were added.
BUSY = (data.START.date() + timedelta(days=365), data.START.date() + timedelta(days=455))


def say(text: str = "") -> None:
    """One line of the benchmark's output, at once."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def timed(
    client: Client, urls: list[str], repeat: int, before: Callable[[], None] | None = None
) -> list[dict[str, Any]]:
    """Median and p95 latency of GET each of ``urls`` over ``repeat`` rounds (after a warm-up), and its queries.

    The URLs take turns within each round, so that the ones compared in a ratio see the same load on the machine.
    ``before`` runs (untimed) before every request: a write, to time the first request after one (cold).
    """
    before = before or (lambda: None)
    queries = []
    for url in urls:
        before()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        queries.append(len(captured))  # now: the next request resets the connection's query log
        assert response.status_code == 200, (url, response.status_code, response.content[:500])
        before()
        client.get(url)
    times: list[list[float]] = [[] for _ in urls]
    for _ in range(repeat):
        for url, samples in zip(urls, times, strict=True):
            before()
            started = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    results = []
    for samples, n_queries in zip(times, queries, strict=True):
        samples.sort()
        p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
        results.append(
            {"median_ms": round(statistics.median(samples), 2), "p95_ms": round(p95, 2), "queries": n_queries}
        )
    return results


class StatusWriter:
    """A status change through the service (with its timeline entry, change-feed entry and the report's tallies),
    back and forth on one recommendation: run before a request, it makes that request the first after a write."""

    def __init__(self) -> None:
        in_progress = Recommendation.objects.filter(status=Status.IN_PROGRESS).order_by("pk")
        self.pk = in_progress.values_list("pk", flat=True)[0]
        self.actor = get_user_model().objects.get(username="bench")

    def __call__(self) -> None:
        recommendation = Recommendation.objects.get(pk=self.pk)
        to = Status.STALLED if recommendation.status == Status.IN_PROGRESS else Status.IN_PROGRESS
        recommendation_change_status(recommendation=recommendation, actor=self.actor, status=to, note="bench")


def deep_cursor(fraction: float) -> str:
    """The cursor of the API list's default order positioned after ``fraction`` of the rows."""
    queryset = RecommendationFilterSet({}, queryset=Recommendation.objects.all()).qs.order_by("id")
    keys = sort_keys(queryset)
    ordered = queryset.order_by(*(key.order_by(backwards=False) for key in keys))
    row = ordered[int(fraction * ordered.count())]
    return Cursor(tuple(_signature(keys)), tuple(getattr(row, key.name) for key in keys)).encode()


def walk(client: Client, url: str, key: Callable[[dict], int]) -> tuple[int, int, int]:
    """Follow ``next`` links from ``url`` to the end: (items seen, requests, queries)."""
    items = requests = queries = 0
    while url:
        reset_queries()  # the log holds at most 9,000 queries; a walk makes more
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        body = response.json()
        items += key(body)
        requests += 1
        queries += len(captured)
        url = body["next"]
        del response, body
    return items, requests, queries


def sync(client: Client, name: str, url: str, size: int) -> dict[str, Any]:
    """A full walk, once for its time and once under tracemalloc for the process's peak memory."""
    started = time.perf_counter()
    items, requests, queries = walk(client, url, lambda body: len(body["results"]))
    seconds = time.perf_counter() - started
    tracemalloc.start()
    walk(client, url, lambda body: len(body["results"]))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "name": name,
        "size": size,
        "median_ms": round(seconds * 1000, 1),
        "p95_ms": None,
        "queries": round(queries / requests, 2),
        "ratio": None,
        "items": items,
        "requests": requests,
        "peak_memory_kb": round(peak / 1024),
        "note": "median_ms is the whole walk; queries per request; peak memory of server and client together",
    }


def measure(
    size: int, repeat: int, full_sync: bool, import_rows: bool = True, only_reports: bool = False
) -> list[dict[str, Any]]:
    """Every measurement at one size (or only the reports'), on freshly built data."""
    built = data.build(size=size)
    say(f"\n{size:,} recommendations built in {built['build_seconds']} s: {built}")
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench"))
    rows: list[dict[str, Any]] = []

    def add(*measurements: tuple[str, str, str | None], before: Callable[[], None] | None = None) -> None:
        """Time measurements (name, URL, name of the one its ratio is against) together, in turns."""
        for (name, _, ratio_to), timing in zip(
            measurements, timed(client, [url for _, url, _ in measurements], repeat, before), strict=True
        ):
            row = {"name": name, "size": size, **timing, "ratio": None}
            if ratio_to:
                other = next(r for r in rows if r["name"] == ratio_to and r["size"] == size)
                row["ratio"] = round(row["median_ms"] / other["median_ms"], 2)
            say(f"  {name:<24} {row['median_ms']:>9.2f} ms  {row['queries']} queries")
            rows.append(row)

    if not only_reports:
        newest = latest_seq()
        add(
            ("baseline_list", f"{BASELINE}?page_size={PAGE}", None),
            ("api_list", f"{LIST}?page_size={PAGE}", "baseline_list"),
            ("api_list_deep_page", f"{LIST}?page_size={PAGE}&cursor={deep_cursor(0.9)}", "api_list"),
        )
        add(
            ("baseline_list_filtered", f"{BASELINE}?page_size={PAGE}&{FILTER}", None),
            ("api_list_filtered", f"{LIST}?page_size={PAGE}&{FILTER}", "baseline_list_filtered"),
        )
        add(("html_list", "/recommendations/", None))
        add(
            ("changes_first_page", "/api/v1/changes/?limit=500", None),
            ("changes_deep_page", f"/api/v1/changes/?limit=500&after={int(newest * 0.9)}", "changes_first_page"),
        )
    add(
        ("report_html", "/reports/progress/", None),
        ("report_api", "/api/v1/reports/progress/", None),
        ("report_api_filtered", f"/api/v1/reports/progress/?{FILTER}", None),
    )
    today = timezone.localdate()
    # Cold: each request is the first after a write (a status change through the service), so no cache can help.
    add(
        ("report_html_cold", "/reports/progress/", None),
        ("report_api_cold", "/api/v1/reports/progress/", None),
        ("report_api_filtered_cold", f"/api/v1/reports/progress/?{FILTER}", None),
        ("side_by_side_cold", "/reports/partners/side-by-side/", None),
        ("compare_quarter_cold", f"/reports/compare/?from={today - timedelta(days=91)}&to={today}", None),
        ("compare_busy_quarter_cold", f"/reports/compare/?from={BUSY[0]}&to={BUSY[1]}", None),
        before=StatusWriter(),
    )
    # The other views managers read: what needs attention (for two partners: "India or the Quad"), and the report
    # and the list as they stood at the end of the busy quarter.
    add(
        ("attention_list_cold", "/recommendations/?attention=true", None),
        ("attention_partners_cold", "/recommendations/?attention=true&partner=partner-1&partner=partner-2", None),
        ("as_of_list_by_status_cold", f"/recommendations/?as_of={BUSY[1]}&ordering=status", None),
        ("as_of_report_cold", f"/reports/progress/?as_of={BUSY[1]}", None),
        before=StatusWriter(),
    )
    if import_rows:
        rows += imports.measure(size, max(3, repeat // 5), say)
    if full_sync:
        for name, url in (
            ("sync_changes", "/api/v1/changes/?limit=500"),
            ("sync_recommendations", f"{LIST}?page_size=500"),
        ):
            rows.append(sync(client, name, url, size))
            say(f"  {name:<24} {rows[-1]['median_ms'] / 1000:>9.1f} s   peak {rows[-1]['peak_memory_kb']:,} KiB")
    return rows


#: The report's measurements whose ratio is against the same measurement at the smallest size (the goal: at most 3×).
REPORTS = (
    "report_html",
    "report_api",
    "report_api_filtered",
    "report_html_cold",
    "report_api_cold",
    "report_api_filtered_cold",
    "side_by_side_cold",
    "compare_quarter_cold",
    "compare_busy_quarter_cold",
    "attention_list_cold",
    "attention_partners_cold",
    "as_of_list_by_status_cold",
    "as_of_report_cold",
)


def report_ratios(rows: list[dict[str, Any]]) -> None:
    """Report latency at each size against the smallest size (the goal: at most 3 × at 100,000 vs 1,000)."""
    for name in REPORTS:
        mine = [r for r in rows if r["name"] == name]
        smallest = min(mine, key=lambda r: r["size"])
        for row in mine:
            row["ratio"] = round(row["median_ms"] / smallest["median_ms"], 2)


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    model = ""
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        model = next((line.split(":", 1)[1].strip() for line in lscpu.splitlines() if "Model name" in line), "")
    except OSError:
        pass
    database = connection.vendor
    if database == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database += " " + cursor.fetchone()[0]
    else:
        import sqlite3

        database += " " + sqlite3.sqlite_version
    return {
        "cpus": str(os.cpu_count()),
        "cpu": model,
        "python": platform.python_version(),
        "database": database,
        "client": CLIENT,
    }


def table(rows: list[dict[str, Any]]) -> str:
    """The results as a plain-text table."""
    head = f"{'name':<24} {'size':>8} {'median ms':>11} {'p95 ms':>9} {'queries':>8} {'ratio':>7}  extra"
    lines = [head, "-" * len(head)]
    for row in rows:
        extra = ""
        if "peak_memory_kb" in row:
            extra = f"{row['items']:,} items, {row['requests']} requests, peak {row['peak_memory_kb']:,} KiB"
        elif "rows" in row:
            extra = f"{row['rows']:,} rows imported (p95 column: slowest run; planning {row['plan_ms']:.0f} ms)"
        p95 = "" if row["p95_ms"] is None else f"{row['p95_ms']:.2f}"
        ratio = "" if row["ratio"] is None else f"{row['ratio']:.2f}"
        lines.append(
            f"{row['name']:<24} {row['size']:>8,} {row['median_ms']:>11.2f} {p95:>9} {row['queries']:>8} {ratio:>7}  "
            f"{extra}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark at the chosen sizes; print the table and write bench/results.json."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default=os.environ.get("SIZE", "full"), help="full, small, or sizes like 1000,5000")
    parser.add_argument("--repeat", type=int, default=None, help="timed runs per measurement (default 15; small 5)")
    parser.add_argument(
        "--output", default=None, help="JSON results (default: bench/results.json for the full run, else var/)"
    )
    parser.add_argument(
        "--only",
        choices=["imports", "reports"],
        default=None,
        help="only the import's or the reports' measurements (merged)",
    )
    args = parser.parse_args(argv)
    sizes = SIZES.get(args.size) or [int(s) for s in args.size.split(",")]
    # Only the full run replaces the committed figures; a small (CI) run leaves the working tree clean.
    if args.output is None:
        args.output = str(RESULTS if args.size == "full" else settings.BASE_DIR / "var" / f"bench-{args.size}.json")
        Path(args.output).parent.mkdir(exist_ok=True)
    repeat = args.repeat or (5 if args.size == "small" else 15)
    call_command("migrate", verbosity=0)
    info = machine()
    say(f"Benchmark on {info['database']} ({settings.DATABASES['default']['NAME']}), client: {info['client']}")
    say(f"Machine: {info['cpus']} CPUs, {info['cpu']}, Python {info['python']}; {repeat} timed runs each")
    rows: list[dict[str, Any]] = []
    if args.only == "imports":
        # Only the import's measurement, at the smallest size, merged into the results file's other rows.
        data.build(size=min(sizes))
        kept = json.loads(Path(args.output).read_text()) if Path(args.output).exists() else []
        fresh = imports.measure(min(sizes), max(3, repeat // 5), say)
        rows = [row for row in kept if not row["name"].startswith("import_")] + fresh
        say()
        say(table(fresh))
        Path(args.output).write_text(json.dumps(rows, indent=1) + "\n")
        say(f"\nwrote {args.output}")
        return 0
    if args.only == "reports":
        # Only the reports' measurements at every size, merged into the results file's other rows.
        kept = json.loads(Path(args.output).read_text()) if Path(args.output).exists() else []
        fresh = []
        for size in sizes:
            fresh += measure(size, repeat, full_sync=False, import_rows=False, only_reports=True)
        report_ratios(fresh)
        names = {row["name"] for row in fresh}
        rows = [row for row in kept if row["name"] not in names] + fresh
        say()
        say(table(fresh))
        Path(args.output).write_text(json.dumps(rows, indent=1) + "\n")
        say(f"\nwrote {args.output}")
        return 0
    for size in sizes:
        # The import's figures depend on the rows imported, not on the data beside them: measured at one size.
        rows += measure(size, repeat, full_sync=size == max(sizes), import_rows=size == min(sizes))
    report_ratios(rows)
    say()
    say(table(rows))
    Path(args.output).write_text(json.dumps(rows, indent=1) + "\n")
    Path(args.output).with_name(Path(args.output).stem + ".machine.json").write_text(json.dumps(info, indent=1) + "\n")
    say(f"\nwrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
