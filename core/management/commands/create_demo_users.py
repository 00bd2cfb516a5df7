import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.management.base import TrackerCommand
from core.roles import ASSESSORS, MANAGERS, POLICY_TEAM

DEMO_USERS = [
    ("admin", None, True, gettext_lazy("administrator: everything, including deletions and API tokens")),
    ("policy", POLICY_TEAM, False, gettext_lazy("policy team: edits content, records status changes")),
    ("manager", MANAGERS, False, gettext_lazy("manager: reads everything, changes nothing")),
    ("assessor", ASSESSORS, False, gettext_lazy("assessor: reads everything, records independent assessments")),
]


class Command(TrackerCommand):
    """Create one demo user per role with a random password, printed once (development only)."""

    help = gettext_lazy(
        "Create demo users admin, policy and manager (development only; existing users are left alone)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(_("Demo users are for development only (DJANGO_DEBUG=1); refusing to create them."))
        User = get_user_model()
        for username, group_name, is_superuser, description in DEMO_USERS:
            if User.objects.filter(username=username).exists():
                self.stdout.write(
                    _("%(username)-8s exists already (password unchanged) - %(description)s")
                    % {"username": username, "description": description}
                )
                continue
            password = secrets.token_urlsafe(12)
            user = User.objects.create_user(
                username=username,
                email=f"{username}@tracker.example",  # notifications' e-mails show on the console in development
                password=password,
                is_staff=True,
                is_superuser=is_superuser,
            )
            if group_name:
                user.groups.add(Group.objects.get(name=group_name))
            self.stdout.write(
                _("%(username)-8s password %(password)s - %(description)s")
                % {"username": username, "password": password, "description": description}
            )
        self.stdout.write(
            _("Passwords are shown only when a user is created; reset one with: manage.py changepassword NAME")
        )
