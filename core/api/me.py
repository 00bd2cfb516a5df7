"""``GET /api/v1/me/``: who the client is: its user, role and permissions, and the token it uses (scope, expiry)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import ApiToken
from ..roles import role_code, role_label


class TokenSerializer(serializers.Serializer[ApiToken]):
    """The token a request is authenticated by."""

    name = serializers.CharField()
    prefix = serializers.CharField(help_text=_("The public part of the token, shown in the admin."))
    scope = serializers.ChoiceField(choices=["read", "write"], help_text=_("write: it may change what its user may."))
    expires_at = serializers.DateTimeField(allow_null=True, help_text=_("null: it never expires."))
    created_at = serializers.DateTimeField()


class MeSerializer(serializers.Serializer[Any]):
    """Who a client is."""

    username = serializers.CharField()
    name = serializers.CharField(help_text=_("The user's full name, or the username."))
    role = serializers.ChoiceField(
        choices=["administrator", "policy_team", "manager", "none"], help_text=_("For programs.")
    )
    role_label = serializers.CharField(help_text=_("For people."))
    permissions = serializers.ListField(
        child=serializers.CharField(), help_text=_('What the user may do, as "app.action_model" (e.g. view_source).')
    )
    authentication = serializers.ChoiceField(choices=["token", "session"])
    token = TokenSerializer(allow_null=True, help_text=_("The token of the request, or null for a session."))


class MeView(APIView):
    """Who you are: the user, role and permissions the API acts for, and the token's scope and expiry."""

    permission_classes = [permissions.IsAuthenticated]
    response_serializer_class = MeSerializer

    def get(self, request: Request) -> Response:
        user = request.user
        token = request.auth if isinstance(request.auth, ApiToken) else None
        scope = "write" if token is None or token.can_write else "read"
        perms = sorted(user.get_all_permissions())
        if scope == "read":
            perms = [name for name in perms if name.split(".", 1)[-1].startswith("view_")]
        return Response(
            {
                "username": user.get_username(),
                "name": user.get_full_name() or user.get_username(),  # type: ignore[union-attr]
                "role": role_code(user),
                "role_label": role_label(user),
                "permissions": perms,
                "authentication": "token" if token is not None else "session",
                "token": None
                if token is None
                else {
                    "name": token.name,
                    "prefix": token.prefix,
                    "scope": scope,
                    "expires_at": token.expires_at,
                    "created_at": token.created_at,
                },
            }
        )
