"""Django's CommonMiddleware, except that a write to an address without its trailing slash is never redirected.

A 301 (or 302) after a POST, PUT, PATCH or DELETE is followed by HTTP clients as a GET: the client reports success
while nothing was written. Only reads are redirected to the slashed address; a write gets a 404 that names the
address it should have used (JSON under /api/).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.middleware.common import CommonMiddleware

#: Methods that change nothing, and may therefore follow a redirect.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CanonicalUrlMiddleware(CommonMiddleware):
    """CommonMiddleware that appends a slash by redirecting reads only."""

    def should_redirect_with_slash(self, request: HttpRequest) -> bool:
        if request.method not in SAFE_METHODS:
            return False
        return bool(super().should_redirect_with_slash(request))
