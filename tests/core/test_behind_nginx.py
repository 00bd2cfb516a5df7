"""Behind a real nginx, as docs/deploying.md sets it up: the app under gunicorn with production settings and
DJANGO_TRUSTED_PROXY_COUNT=1, nginx in front appending to X-Forwarded-For, clients on their own loopback addresses.

An attacker who sends a new forged X-Forwarded-For with every guess is locked out by the address nginx saw; the real
user, at another address, is not; large bodies are refused before anything reads them.

Skipped, with the reason, where Debian's nginx is missing; ``.ci/run`` installs it and sets NGINX_TESTS=required.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from loadtest import liveserver

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
REQUIRED = os.environ.get("NGINX_TESTS") == "required"

pytestmark = [
    pytest.mark.concurrency,
    pytest.mark.skipif(
        not os.path.exists(NGINX) and not REQUIRED,
        reason=f"nginx tests skipped: no nginx at {NGINX} (apt-get install nginx; .ci/run does)",
    ),
]

NGINX_CONF = """
{user}
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    gzip on;  # Debian's default (for text/html only); the API compresses its JSON itself
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 30m;
        location / {{
            proxy_pass {upstream};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""

PASSWORD = "correct horse battery staple"
_CREATE_USER = f"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
user = get_user_model().objects.create_user(username="victim", password="{PASSWORD}", is_staff=True)
user.groups.add(Group.objects.get(name="Policy team"))
"""
_ATTEMPTS = """
import json
from axes.models import AccessAttempt
print(json.dumps(sorted(set(AccessAttempt.objects.values_list("ip_address", flat=True)))))
"""


@dataclass
class Site:
    """nginx in front of gunicorn: where to connect, and the app's server (for its database)."""

    port: int
    server: liveserver.LiveServer


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    suffix = "_nginx" + os.environ.get("PYTEST_XDIST_WORKER", "")
    with liveserver.throwaway_database(tmp_path, base_url=os.environ.get("DATABASE_URL"), suffix=suffix) as url:
        server = liveserver.prepare(
            url, tmp_path, load_data=False, DJANGO_TRUSTED_PROXY_COUNT="1", DJANGO_LOGIN_FAILURE_LIMIT="3"
        )
        server.manage("shell", "--no-imports", "-c", _CREATE_USER)
        server.start(workers=1, threads=4)
        port = liveserver.free_port()
        user = "user root;" if os.geteuid() == 0 else ""  # as root, workers would drop to nobody: no access to tmp_path
        conf = NGINX_CONF.format(user=user, work=tmp_path, port=port, upstream=server.url)
        (tmp_path / "nginx.conf").write_text(conf)
        nginx = subprocess.Popen(
            [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    if request(port, "GET", "/healthz").status == 200:
                        break
                except OSError:
                    pass
                if nginx.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start: {nginx.stderr.read().decode() if nginx.stderr else ''}")
                time.sleep(0.2)
            yield Site(port=port, server=server)
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)
            server.stop()


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: str

    def header(self, name: str) -> str:
        """A header's value (the last, if repeated), or ""."""
        values = [value for key, value in self.headers if key.lower() == name.lower()]
        return values[-1] if values else ""

    def cookies(self) -> SimpleCookie:
        """Every cookie the answer sets."""
        jar: SimpleCookie = SimpleCookie()
        for key, value in self.headers:
            if key.lower() == "set-cookie":
                jar.load(value)
        return jar


def request(
    port: int,
    method: str,
    path: str,
    *,
    source: str = "127.0.0.1",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> Answer:
    """One request to nginx from the loopback address ``source`` (each a different client to nginx)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Answer(response.status, response.getheaders(), response.read().decode(errors="replace"))
    finally:
        connection.close()


def sign_in(port: int, username: str, password: str, *, source: str, forwarded: str | None = None) -> Answer:
    """GET the sign-in page for a CSRF token, then POST the credentials (with a forged X-Forwarded-For, if given)."""
    page = request(port, "GET", "/accounts/login/", source=source)
    assert page.status == 200, (page.status, page.body[:500])
    token = page.cookies()["csrftoken"].value
    headers = {"Cookie": f"csrftoken={token}", "Content-Type": "application/x-www-form-urlencoded"}
    if forwarded:
        headers["X-Forwarded-For"] = forwarded
    form = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token, "next": "/"}
    ).encode()
    return request(port, "POST", "/accounts/login/", source=source, headers=headers, body=form)


def test_forged_forwarded_for_headers_do_not_escape_the_lockout_and_the_real_user_gets_in(site):
    attacker = "127.0.0.2"
    answers = [
        sign_in(site.port, "victim", f"guess {guess}", source=attacker, forwarded=f"203.0.113.{guess}")
        for guess in range(3)
    ]
    assert [answer.status for answer in answers[:2]] == [200, 200]  # the form again
    assert answers[2].status in (403, 429)  # the third failure (the limit) locks the address out
    locked = sign_in(site.port, "victim", PASSWORD, source=attacker, forwarded="203.0.113.99")
    assert locked.status in (403, 429)
    assert "Too many failed sign-ins" in locked.body
    # The attempts are recorded under the address nginx saw, never a forged one and never none.
    recorded = json.loads(site.server.manage("shell", "--no-imports", "-c", _ATTEMPTS).strip().splitlines()[-1])
    assert recorded == [attacker]
    # The real user, somewhere else and sending no header at all, signs in.
    assert sign_in(site.port, "victim", PASSWORD, source="127.0.0.3").status == 302


def test_a_large_body_is_refused_with_413_through_the_proxy(site):
    body = b"username=x&password=" + b"x" * (10 * 1024 * 1024)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    answer = request(site.port, "POST", "/accounts/login/", source="127.0.0.4", headers=headers, body=body)
    assert answer.status == 413
    assert "too large" in answer.body


def test_a_compressed_answer_through_the_proxy_gives_an_etag_a_write_can_use(site):
    """The ETag survives compression on the way through nginx strong, so If-Match with it writes (not 412)."""
    token = site.server.manage("create_api_token", "victim", "--write").strip().splitlines()[-1]
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    theme = {"slug": "long", "name": "Long", "description": "A description long enough to be compressed. " * 40}
    created = request(site.port, "POST", "/api/v1/themes/", headers=auth, body=json.dumps(theme).encode())
    assert created.status == 201, created.body[:300]
    url = urllib.parse.urlsplit(json.loads(created.body)["url"]).path
    read = request(site.port, "GET", url, headers={**auth, "Accept-Encoding": "gzip"})
    assert read.header("Content-Encoding") == "gzip" and read.header("ETag") == '"1"'
    change = json.dumps({"name": "Longer"}).encode()
    written = request(site.port, "PATCH", url, headers={**auth, "If-Match": read.header("ETag")}, body=change)
    assert written.status == 200, written.body[:300]
