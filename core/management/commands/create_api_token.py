from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.services import api_token_create


class Command(BaseCommand):
    """Issue an API token for a user and print it, alone, on the last line (it is never shown again)."""

    help = "Create an API token for USERNAME (read-only unless --write) and print it on the last line."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--write", action="store_true", help="Allow writes (within the user's permissions).")
        parser.add_argument("--expires-days", type=int, default=None, help="Expire after this many days.")
        parser.add_argument("--name", default="", help="What the token is for (default: command line token).")

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as error:
            raise CommandError(f"No user named {options['username']!r}.") from error
        if not user.is_active:
            raise CommandError(f"User {user.get_username()!r} is inactive.")
        days = options["expires_days"]
        if days is not None and not 1 <= days <= 3650:
            raise CommandError("--expires-days must be from 1 to 3650.")
        expires_at = timezone.now() + timedelta(days=days) if days else None
        token, raw = api_token_create(
            user=user,
            name=(options["name"] or "command line token")[:100],
            can_write=options["write"],
            expires_at=expires_at,
        )
        scope = "read and write" if token.can_write else "read-only"
        expiry = f"expires {token.expires_at:%Y-%m-%d %H:%M %Z}" if token.expires_at else "never expires"
        self.stderr.write(f"Token {token.prefix}… for {user.get_username()} ({scope}, {expiry}). Store it now:")
        self.stdout.write(raw)
