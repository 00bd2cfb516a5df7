"""How django-axes names the user of a sign-in attempt."""

from __future__ import annotations

from typing import Any

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
