"""Who is signing in, from where: the username of an attempt and the client's address behind trusted proxies."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.http import HttpRequest

#: Length of django-axes' username columns.
USERNAME_MAX = 255


def attempt_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The username as typed, cut to what django-axes can store and without NUL bytes.

    Django's sign-in form hands any username to ``authenticate`` (its length limit is only the input's maxlength),
    and storing a longer one made PostgreSQL refuse the attempt's row: a 500 instead of "wrong username".
    """
    username = credentials.get("username") if credentials is not None else request.POST.get("username")
    return str(username or "").replace("\x00", "")[:USERNAME_MAX]


def client_ip(request: HttpRequest) -> str:
    """The client's address: the one the trusted proxies appended to X-Forwarded-For, else the connection's.

    With ``TRUSTED_PROXY_COUNT`` = N proxies that each append the address they received the request from, the client
    is the N-th entry from the right; everything left of it was written by the client and proves nothing. A request
    whose header has fewer entries did not come through the proxies (or they are configured otherwise): then, as
    with N = 0, the connection's own address counts. Never empty, so no two unknown clients share one record.
    """
    remote = request.META.get("REMOTE_ADDR") or "0.0.0.0"
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    entries = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if len(entries) < count:
        return remote
    candidate = entries[-count]
    try:
        return str(ipaddress.ip_address(candidate.strip("[]")))
    except ValueError:
        return remote
