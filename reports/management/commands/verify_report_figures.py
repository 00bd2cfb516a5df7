"""Check the progress report's cached figures against a fresh computation (exit 1 on a difference)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import CommandError
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.management.base import TrackerCommand
from recommendations.filtersets import RecommendationFilterSet
from recommendations.models import Recommendation
from reports.figures import ReportFigures, compute_figures, figures_key, latest_seq
from reports.forms import ReportOptionsForm
from reports.views import history_period


class Command(TrackerCommand):
    """Recompute the report's figures without the cache and compare them with the cached ones."""

    help = gettext_lazy(  # lazy: TrackerCommand makes it text
        "Recompute the progress report's figures without the cache and compare them with those cached for the "
        "current data (the page's and the API's, in every language). Exits 1 if any differs."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--query", default="", help=_("The report's filters as in its address, e.g. status=stalled&partner=india.")
        )

    def handle(self, *args: Any, query: str, **options: Any) -> None:
        params = QueryDict(query)
        filterset = RecommendationFilterSet(params, queryset=Recommendation.objects.all())
        if not filterset.is_valid():
            problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items())
            raise CommandError(_("Invalid filters: %(problems)s") % {"problems": problems})
        seq = latest_seq()
        page = (history_period(filterset.form.cleaned_data), ReportOptionsForm(params).stale_days_value())
        compared = missing = 0
        differences = []
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                for period, stale_days in (page, (None, None)):  # the page's figures, and the API's
                    key = figures_key(seq=seq, params=params, period=period, stale_days=stale_days, language=language)
                    cached = cache.get(key)
                    if not isinstance(cached, ReportFigures):
                        missing += 1
                        continue
                    compared += 1
                    fresh = compute_figures(queryset=filterset.qs, period=period, stale_days=stale_days)
                    if fresh != cached:
                        differences.append(f"{language} {'page' if period else 'API'}")
        if differences:
            raise CommandError(
                _("The cached figures differ from a fresh computation: %(where)s.") % {"where": ", ".join(differences)}
            )
        self.stdout.write(
            _("%(compared)d cached sets of figures match a fresh computation; %(missing)d not cached.")
            % {"compared": compared, "missing": missing}
        )
