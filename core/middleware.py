"""Middleware of the whole site: canonical addresses that never redirect a write, and gzip for the API's JSON.

Django's CommonMiddleware, except that a write to an address without its trailing slash is never redirected.

A 301 (or 302) after a POST, PUT, PATCH or DELETE is followed by HTTP clients as a GET: the client reports success
while nothing was written. Only reads are redirected to the slashed address; a write gets a 404 that names the
address it should have used (JSON under /api/).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.middleware.common import CommonMiddleware
from django.middleware.gzip import GZipMiddleware

#: Methods that change nothing, and may therefore follow a redirect.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CanonicalUrlMiddleware(CommonMiddleware):
    """CommonMiddleware that appends a slash by redirecting reads only."""

    def should_redirect_with_slash(self, request: HttpRequest) -> bool:
        if request.method not in SAFE_METHODS:
            return False
        return bool(super().should_redirect_with_slash(request))


class ApiGzipMiddleware(GZipMiddleware):
    """gzip for JSON answers of the API over GZIP_MIN_BYTES, when the client accepts it.

    Only the API's JSON: the HTML pages carry CSRF tokens, which compression next to reflected input would expose
    (BREACH), and static files are compressed ahead of time by whitenoise.

    The API's ETags name versions of objects, not bytes, and writes compare them strongly (If-Match): Django's
    gzip would weaken them (``W/"4"``), and a client sending back what it read would get 412 for every write. They
    stay as they were; ``Vary: Accept-Encoding`` keeps caches from mixing the two codings.
    """

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not request.path.startswith("/api/"):
            return response
        if not response.get("Content-Type", "").startswith("application/json"):
            return response
        if not response.streaming and len(getattr(response, "content", b"")) < settings.GZIP_MIN_BYTES:
            return response
        etag = response.get("ETag")
        compressed: HttpResponseBase = super().process_response(request, response)
        if etag and not etag.startswith("W/") and compressed.has_header("Content-Encoding"):
            compressed["ETag"] = etag
        return compressed
