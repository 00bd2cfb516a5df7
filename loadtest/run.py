"""A bounded load test (`make loadtest`): several API users read and write for a fixed time against gunicorn.

It starts the app as `make serve` does (production settings, gunicorn's configured workers and threads) on a free
loopback port, on a fresh SQLite database or a throwaway PostgreSQL database next to the one DATABASE_URL names,
loads the commentary, gives each user a write token, and runs for ``--duration`` seconds. Each user mixes reads
(filtered lists, details, the progress report, the change feed) and writes (PATCH with If-Match, status changes,
creates). It prints requests, failures and latency percentiles per kind of request, then stops the server and
removes the database. The exit status is 1 if any request got a 5xx or no answer at all.

    python -m loadtest.run --duration 30 --users 8
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import requests

from loadtest import liveserver

#: What each kind of request may answer without being a failure (412: another user changed it first).
EXPECTED = {
    "list": {200},
    "detail": {200},
    "report": {200},
    "feed": {200},
    "patch": {200, 412},
    "status": {200, 412},
    "create": {201},
}
#: How often each kind is picked (reads outnumber writes about three to one).
WEIGHTS = {"list": 25, "detail": 20, "report": 10, "feed": 10, "patch": 15, "status": 12, "create": 8}
STATUSES = ["proposed", "under_review", "in_progress", "partially_implemented", "implemented", "stalled", "not_adopted"]
LIST_FILTERS = [
    {"status": "in_progress", "ordering": "-updated_at"},
    {"partner": "australia", "page_size": 10},
    {"q": "security", "ordering": "reference"},
    {"priority": "high", "theme": "maritime-security"},
    {"overdue": "false", "stale": "30", "page_size": 100},
    {},
]


@dataclass
class Result:
    """One request: its kind, the status it got (0: no answer) and how long it took."""

    kind: str
    status: int
    ms: float


@dataclass
class Summary:
    """The figures of one kind of request."""

    kind: str
    requests: int
    failures: int
    server_errors: int
    p50: float
    p95: float
    p99: float
    max: float
    statuses: dict[int, int] = field(default_factory=dict)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by the nearest-rank method; 0.0 for no values."""
    if not values:
        return 0.0
    if not 0 <= q <= 100:
        raise ValueError("q must be from 0 to 100")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def summarise(results: Iterable[Result]) -> list[Summary]:
    """Figures per kind of request (in the order of EXPECTED, unknown kinds last) and a total line."""
    by_kind: dict[str, list[Result]] = defaultdict(list)
    for result in results:
        by_kind[result.kind].append(result)
    order = [kind for kind in EXPECTED if kind in by_kind] + sorted(set(by_kind) - set(EXPECTED))
    groups = [(kind, by_kind[kind]) for kind in order]
    groups.append(("total", [result for _, rows in groups for result in rows]))
    summaries = []
    for kind, rows in groups:
        latencies = [row.ms for row in rows]
        summaries.append(
            Summary(
                kind=kind,
                requests=len(rows),
                failures=sum(1 for row in rows if row.status not in EXPECTED.get(row.kind, {200})),
                server_errors=sum(1 for row in rows if row.status >= 500 or row.status == 0),
                p50=percentile(latencies, 50),
                p95=percentile(latencies, 95),
                p99=percentile(latencies, 99),
                max=max(latencies, default=0.0),
                statuses=dict(sorted(Counter(row.status for row in rows).items())),
            )
        )
    return summaries


def format_table(summaries: Sequence[Summary], seconds: float) -> str:
    """The summaries as a fixed-width table, latencies in milliseconds."""
    lines = [
        f"{'kind':8} {'requests':>8} {'req/s':>7} {'failures':>8} {'5xx':>4} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}  statuses"
    ]
    for row in summaries:
        rate = row.requests / seconds if seconds > 0 else 0.0
        statuses = " ".join(f"{status}:{count}" for status, count in row.statuses.items())
        lines.append(
            f"{row.kind:8} {row.requests:8d} {rate:7.1f} {row.failures:8d} {row.server_errors:4d} "
            f"{row.p50:7.0f} {row.p95:7.0f} {row.p99:7.0f} {row.max:7.0f}  {statuses}"
        )
    return "\n".join(lines)


class User(threading.Thread):
    """One API user doing a random mix of reads and writes until the deadline."""

    def __init__(self, n: int, api: str, token: str, ids: list[str], deadline: float, results: list[Result]) -> None:
        super().__init__(name=f"user-{n}", daemon=True)
        self.n, self.api, self.ids, self.deadline, self.results = n, api, ids, deadline, results
        self.random = random.Random(n)  # each user's sequence is the same from run to run
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json"})
        self.after = 0
        self.created = 0

    def call(self, kind: str, method: str, url: str, **kwargs) -> requests.Response | None:
        """Send one request, record its status and latency; None if no answer came."""
        started = time.perf_counter()
        try:
            response = self.session.request(method, url, timeout=30, **kwargs)
        except requests.RequestException:
            self.results.append(Result(kind, 0, (time.perf_counter() - started) * 1000))
            return None
        self.results.append(Result(kind, response.status_code, (time.perf_counter() - started) * 1000))
        return response

    def read_current(self, rec_id: str) -> tuple[str, dict] | None:
        """ETag and body of a recommendation (a read the write depends on; counted as a detail read)."""
        response = self.call("detail", "GET", f"{self.api}/recommendations/{rec_id}/")
        if response is None or response.status_code != 200:
            return None
        return response.headers["ETag"], response.json()

    def step(self) -> None:
        """One action, picked by WEIGHTS."""
        kind = self.random.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        rec_id = self.random.choice(self.ids)
        url = f"{self.api}/recommendations/{rec_id}/"
        if kind == "list":
            self.call(kind, "GET", f"{self.api}/recommendations/", params=self.random.choice(LIST_FILTERS))
        elif kind == "detail":
            self.call(kind, "GET", url)
        elif kind == "report":
            params = self.random.choice([{}, {"partner": "australia"}, {"status": "in_progress"}])
            self.call(kind, "GET", f"{self.api}/reports/progress/", params=params)
        elif kind == "feed":
            response = self.call(kind, "GET", f"{self.api}/changes/", params={"after": self.after, "limit": 100})
            if response is not None and response.status_code == 200:
                self.after = response.json()["last_seq"]
        elif kind == "patch":
            current = self.read_current(rec_id)
            if current is not None:
                body = {"priority": self.random.choice(["high", "medium", "low"]), "team": f"team {self.n}"}
                self.call(kind, "PATCH", url, json=body, headers={"If-Match": current[0]})
        elif kind == "status":
            current = self.read_current(rec_id)
            if current is not None:
                status = self.random.choice([s for s in STATUSES if s != current[1]["status"]])
                body = {"status": status, "status_note": f"load test user {self.n}"}
                self.call(kind, "PATCH", url, json=body, headers={"If-Match": current[0]})
        elif kind == "create":
            new_id = str(uuid.uuid4())
            self.created += 1
            body = {
                "id": new_id,
                "reference": f"LOAD-{self.n}-{self.created}",
                "title": f"Load test recommendation {self.n}.{self.created}",
                "description": "Made by the load test.",
                "source": "tokuchi-2023-nss-commentary",
                "partners": [{"slug": "australia", "role": "counterpart"}],
            }
            response = self.call(kind, "POST", f"{self.api}/recommendations/", json=body)
            if response is not None and response.status_code == 201:
                self.ids.append(new_id)

    def run(self) -> None:
        while time.monotonic() < self.deadline:
            self.step()


def run_load(api: str, tokens: Sequence[str], seconds: float) -> tuple[list[Result], float]:
    """Run one User per token against ``api`` for ``seconds``; the results and the time it really took."""
    reader = requests.Session()
    reader.headers["Authorization"] = f"Bearer {tokens[0]}"
    ids = [
        item["id"]
        for item in reader.get(f"{api}/recommendations/", params={"page_size": 500}, timeout=30).json()["results"]
    ]
    results: list[Result] = []
    started = time.monotonic()
    users = [User(n, api, token, ids, started + seconds, results) for n, token in enumerate(tokens)]
    for user in users:
        user.start()
    for user in users:
        user.join(timeout=seconds + 60)
    return results, time.monotonic() - started


def main(argv: Sequence[str] | None = None) -> int:
    """Start a server, load it, print the figures; 1 on any 5xx or unanswered request."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=float(os.environ.get("DURATION") or 30), help="seconds")
    parser.add_argument("--users", type=int, default=int(os.environ.get("USERS") or 8), help="concurrent API users")
    args = parser.parse_args(argv)
    if not 1 <= args.users <= 100 or not 1 <= args.duration <= 3600:
        parser.error("--users must be 1-100 and --duration 1-3600 seconds")
    base_url = os.environ.get("DATABASE_URL")
    with (
        tempfile.TemporaryDirectory(prefix="loadtest-") as tmp,
        liveserver.throwaway_database(Path(tmp), base_url=base_url, suffix="_load") as database_url,
    ):
        database = "PostgreSQL" if liveserver.is_postgres(database_url) else "SQLite"
        print(f"Preparing a fresh {database} database and {args.users} users...", flush=True)
        server = liveserver.prepare(database_url, Path(tmp))
        tokens = server.provision(args.users)["writers"]
        try:
            server.start(workers=None, threads=None)
            print(f"{server.url}: {args.users} users for {args.duration:.0f} s...", flush=True)
            results, seconds = run_load(f"{server.url}/api/v1", tokens, args.duration)
        finally:
            server.stop()
        log = server.log()
    summaries = summarise(results)
    print(f"\n{database}, {args.users} users, {seconds:.1f} s, gunicorn as configured in config/gunicorn.py\n")
    print(format_table(summaries, seconds))
    total = summaries[-1]
    problems = []
    if total.server_errors:
        problems.append(f"{total.server_errors} requests got a 5xx or no answer")
    if "database is locked" in log:
        problems.append('the server logged "database is locked"')
    if "Traceback" in log:
        problems.append("the server logged a traceback")
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    if not problems:
        print(f"\nOK: no server errors ({total.failures} other unexpected answers).")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
