"""``manage.py create_api_token USERNAME``: print a new personal API token (and nothing else) on stdout."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from designs.models import ApiToken


class Command(BaseCommand):
    help = "Create a personal API token for USERNAME and print it on stdout (it is shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="a label to tell the token apart (default: cli)")

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"No user {options['username']!r}") from None
        _, secret = ApiToken.issue(user, options["name"])
        self.stdout.write(secret)
