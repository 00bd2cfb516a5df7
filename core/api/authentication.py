"""Token authentication for external tools: ``Authorization: Bearer <token>`` (or ``Token <token>``).

A token is ``<prefix>.<secret>``. Only the SHA-256 of the whole string is stored; the prefix finds the row and the
digests are compared in constant time. Revoked, expired and unknown tokens are refused with 401.
"""

from __future__ import annotations

import hmac
import re
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from ..models import ApiToken
from ..services import api_token_hash, api_token_touch

if TYPE_CHECKING:
    from django.contrib.auth.models import User

#: What a token's prefix looks like.
PREFIX = re.compile(r"[0-9a-f]{1,16}")
#: Authorization schemes accepted for tokens (case-insensitive).
TOKEN_KEYWORDS = frozenset({"bearer", "token"})


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """Authenticate a request by an API token; ``request.auth`` is then the ApiToken."""

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() not in TOKEN_KEYWORDS:
            return None  # no token: another authentication (the session) may apply
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header: send “Bearer <token>”."))
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from error
        return self.authenticate_token(raw)

    def authenticate_token(self, raw: str) -> tuple[User, ApiToken]:
        """The (user, token) pair for a raw token string, or AuthenticationFailed."""
        prefix, dot, secret = raw.partition(".")
        # Prefixes are hex (services.api_token_create): anything else, a NUL byte included (PostgreSQL would refuse
        # to look it up: a 500), is no token.
        if not dot or not secret or not PREFIX.fullmatch(prefix):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
        if token is None or not hmac.compare_digest(token.key_hash, api_token_hash(raw)):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This token has been revoked."))
        if not token.is_active:
            raise exceptions.AuthenticationFailed(_("This token has expired."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The token's user is inactive."))
        api_token_touch(token=token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        """Makes unauthenticated requests 401 (with this challenge) rather than 403."""
        return 'Bearer realm="api"'
