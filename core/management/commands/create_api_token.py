from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.management.base import TrackerCommand
from core.services import api_token_create


class Command(TrackerCommand):
    """Issue an API token for a user and print it, alone, on the last line (it is never shown again)."""

    help = gettext_lazy("Create an API token for USERNAME (read-only unless --write) and print it on the last line.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--write", action="store_true", help=_("Allow writes (within the user's permissions)."))
        parser.add_argument("--expires-days", type=int, default=None, help=_("Expire after this many days."))
        parser.add_argument("--name", default="", help=_("What the token is for (default: command line token)."))

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as error:
            raise CommandError(_("No user named %(username)r.") % {"username": options["username"]}) from error
        if not user.is_active:
            raise CommandError(_("User %(username)r is inactive.") % {"username": user.get_username()})
        days = options["expires_days"]
        if days is not None and not 1 <= days <= 3650:
            raise CommandError(_("--expires-days must be from 1 to 3650."))
        expires_at = timezone.now() + timedelta(days=days) if days else None
        token, raw = api_token_create(
            user=user,
            name=(options["name"] or "command line token")[:100],
            can_write=options["write"],
            expires_at=expires_at,
        )
        params = {"prefix": token.prefix, "username": user.get_username()}
        if token.expires_at:
            params["expires"] = f"{token.expires_at:%Y-%m-%d %H:%M %Z}"
            if token.can_write:
                message = _("Token %(prefix)s… for %(username)s (read and write, expires %(expires)s). Store it now:")
            else:
                message = _("Token %(prefix)s… for %(username)s (read-only, expires %(expires)s). Store it now:")
        elif token.can_write:
            message = _("Token %(prefix)s… for %(username)s (read and write, never expires). Store it now:")
        else:
            message = _("Token %(prefix)s… for %(username)s (read-only, never expires). Store it now:")
        self.stderr.write(message % params)
        self.stdout.write(raw)
