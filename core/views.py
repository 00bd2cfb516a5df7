"""What every web page shares: signing in, the role's permission and the allowed methods, in one decorator."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponseBase
from django.views.decorators.http import require_http_methods

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def page(permission: str | None, *, methods: Sequence[str] = ("GET",)) -> Callable[[View], View]:
    """A page for signed-in users (others are sent to sign in) who hold ``permission`` (else 403), for ``methods``.

    ``permission`` None: any signed-in user (a view that checks something finer itself).
    """

    def decorate(view: View) -> View:
        wrapped: Any = require_http_methods(list(methods))(view)
        if permission is not None:
            wrapped = permission_required(permission, raise_exception=True)(wrapped)
        return login_required(wrapped)  # type: ignore[no-any-return]

    return decorate
