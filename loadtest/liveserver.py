"""Start the app under gunicorn with production settings on a free loopback port, against a throwaway database.

Used by the live concurrency tests (tests/config/test_live_concurrency.py) and by `make loadtest`. The database is
a fresh SQLite file, or a PostgreSQL database named after the one ``DATABASE_URL`` names plus a suffix, created
here and dropped afterwards. The server is plain HTTP on 127.0.0.1, so the TLS-only settings are off, as for
`make serve`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent

#: Creates policy team members with a write token each and one manager with a read-only token; prints the tokens.
_PROVISION = """
import json
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from core.roles import MANAGERS, POLICY_TEAM
from core.services import api_token_create
User = get_user_model()
writers, readers = [], []
for n in range({writers}):
    user = User.objects.create_user(username=f"writer{{n}}", password=None, is_staff=True)
    user.groups.add(Group.objects.get(name=POLICY_TEAM))
    writers.append(api_token_create(user=user, name="live test", can_write=True)[1])
manager = User.objects.create_user(username="reader", password=None, is_staff=True)
manager.groups.add(Group.objects.get(name=MANAGERS))
readers.append(api_token_create(user=manager, name="live test", can_write=False)[1])
print(json.dumps({{"writers": writers, "readers": readers}}))
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def is_postgres(database_url: str | None) -> bool:
    """Whether a DATABASE_URL names a PostgreSQL database."""
    return bool(database_url) and urlsplit(database_url).scheme in {"postgres", "postgresql", "pgsql", "psql"}


def _with_database(database_url: str, name: str) -> str:
    """The same PostgreSQL URL naming another database."""
    parts = urlsplit(database_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _postgres_admin(database_url: str, statement: str) -> None:
    """Run one statement (CREATE/DROP DATABASE) on the server's maintenance database, outside a transaction."""
    import psycopg

    with psycopg.connect(_with_database(database_url, "postgres"), autocommit=True) as connection:
        connection.execute(statement)


@contextlib.contextmanager
def throwaway_database(workdir: Path, *, base_url: str | None = None, suffix: str = "_live") -> Iterator[str]:
    """Yield the URL of an empty database that is removed afterwards.

    With a PostgreSQL ``base_url`` it is a new database on the same server named ``<its name><suffix>`` (dropped
    first if a crashed run left it behind); otherwise a SQLite file in ``workdir``.
    """
    if not is_postgres(base_url):
        path = workdir / "live.sqlite3"
        try:
            yield f"sqlite:///{path}"
        finally:
            for extra in ("", "-wal", "-shm"):
                Path(f"{path}{extra}").unlink(missing_ok=True)
        return
    assert base_url is not None
    name = urlsplit(base_url).path.lstrip("/") + suffix
    if not name.replace("_", "").isalnum():
        raise ValueError(f"Refusing to create a database named {name!r}.")
    _postgres_admin(base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _postgres_admin(base_url, f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(base_url, name)
    finally:
        _postgres_admin(base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_environment(database_url: str, **overrides: str) -> dict[str, str]:
    """Production settings over plain HTTP on loopback (as `make serve`), on the given database."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "GUNICORN_"))}
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_HSTS_SECONDS": "0",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(overrides)
    return env


@dataclass
class LiveServer:
    """A gunicorn process serving the app; ``stop()`` ends it and its workers."""

    url: str
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen | None = None
    _log: object = field(default=None, repr=False)

    def manage(self, *args: str, timeout: float = 120, env: dict[str, str] | None = None) -> str:
        """Run a management command against the server's database (``env``: settings to override for it) and return
        what it printed."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def provision(self, writers: int) -> dict[str, list[str]]:
        """Create ``writers`` policy team members with a write token each and a manager with a read token."""
        output = self.manage("shell", "--no-imports", "-c", _PROVISION.format(writers=writers))
        return json.loads(output.strip().splitlines()[-1])

    def log(self) -> str:
        """Everything gunicorn and the app wrote so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self, *, workers: int | None = 4, threads: int | None = 2, wait: float = 60) -> None:
        """Start gunicorn (None: workers or threads as config/gunicorn.py says) and wait until /healthz answers."""
        command = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "--graceful-timeout", "5"]
        # Several servers on one host (tests, make serve) would share the control socket's default path.
        command.append("--no-control-socket")
        if workers is not None:
            command += ["--workers", str(workers)]
        if threads is not None:
            command += ["--threads", str(threads)]
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [*command, "config.wsgi"],
            cwd=BASE_DIR,
            env={**self.env, "GUNICORN_BIND": urlsplit(self.url).netloc},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so that stop() can always end the workers too
        )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer /healthz within {wait} s:\n{self.log()[-3000:]}")

    def stop(self) -> None:
        """End gunicorn gracefully (SIGTERM), or kill its process group if it takes more than 15 s."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None


def _static_fingerprint() -> str | None:
    """A fingerprint of every static source file the finders find (path, size, modification time), or None where
    Django is not set up in this process (``make loadtest``)."""
    from django.conf import settings

    if not settings.configured:
        return None
    from django.contrib.staticfiles.finders import get_finders

    entries = []
    for finder in get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            stat = os.stat(storage.path(path))
            entries.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest()[:16]


def collected_static(server: LiveServer, workdir: Path) -> Path:
    """Where the server's static files are collected (production settings serve them from a compressed manifest).

    Collecting compresses a thousand files, 20 s of a test's setup: within a test run the servers share one
    collection under ``var/``, named after the sources' fingerprint and made once (in a scratch directory renamed
    into place, so that concurrent test workers never see half of one; older collections are removed). Outside
    Django (``make loadtest``), each server collects into its own ``workdir``.
    """
    fingerprint = _static_fingerprint()
    if fingerprint is None:
        target = workdir / "static"
        server.manage("collectstatic", "--no-input", "-v0", env={"DJANGO_STATIC_ROOT": str(target)})
        return target
    shared = BASE_DIR / "var" / f"test-static-{fingerprint}"
    if not (shared / "staticfiles.json").exists():
        scratch = shared.with_name(f".{shared.name}-{os.getpid()}")
        shutil.rmtree(scratch, ignore_errors=True)
        server.manage("collectstatic", "--no-input", "-v0", env={"DJANGO_STATIC_ROOT": str(scratch)})
        try:
            scratch.rename(shared)
        except OSError:  # another worker was first: its collection is the same
            shutil.rmtree(scratch, ignore_errors=True)
        for older in shared.parent.glob("test-static-*"):
            if older != shared:
                shutil.rmtree(older, ignore_errors=True)
    return shared


def prepare(database_url: str, workdir: Path, *, load_data: bool = True, **env_overrides: str) -> LiveServer:
    """A server (not started yet) on a free port, its database migrated and (``load_data``) holding the commentary;
    its static files collected (``collected_static``)."""
    env = server_environment(database_url, **env_overrides)
    server = LiveServer(url=f"http://127.0.0.1:{free_port()}", env=env, log_path=workdir / "gunicorn.log")
    server.manage("migrate", "--no-input", "-v0")
    server.env["DJANGO_STATIC_ROOT"] = str(collected_static(server, workdir))
    if load_data:
        server.manage("load_bundle", *sorted(str(path) for path in (BASE_DIR / "fixtures").glob("*.json")))
    return server
