"""Who may do what through the API: Django model permissions (the roles' groups hold them) and the token's scope."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions
from rest_framework.request import Request

from ..models import ApiToken

if TYPE_CHECKING:
    from rest_framework.views import APIView


def is_read_only_token(request: Request) -> bool:
    """Whether the request is authenticated by a token that may only read."""
    return isinstance(request.auth, ApiToken) and not request.auth.can_write


class ModelPermissions(permissions.DjangoModelPermissions):
    """Django model permissions for every method, reads included (``view_*``), and read-only tokens only read.

    Anonymous requests are refused (401). Managers hold only view permissions; the policy team also add and change;
    only administrators (superusers) delete. A view adds rules of its own as further permission classes.
    """

    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }
    read_only_token_message = _("This API token is read-only: it cannot change anything.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method not in permissions.SAFE_METHODS and is_read_only_token(request):
            self.message = self.read_only_token_message
            return False
        return super().has_permission(request, view)
