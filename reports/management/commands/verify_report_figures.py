"""Check the progress report's kept tallies against a full recount and its cached figures against a fresh computation
(exit 1 on a difference; ``--repair`` rebuilds the tallies)."""

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

from core.changes import latest_seq
from core.management.base import TrackerCommand
from recommendations import tallies
from recommendations.filtersets import RecommendationFilterSet
from recommendations.models import Recommendation
from recommendations.services.tallies import tallies_repair
from reports.figures import ReportFigures, compute_figures, figures_key
from reports.forms import ReportOptionsForm
from reports.views import history_period


class Command(TrackerCommand):
    """Recount the report's tallies and recompute its cached figures, and compare."""

    help = gettext_lazy(  # lazy: TrackerCommand makes it text
        "Recount the progress report's kept tallies from the recommendations and compare; recompute the figures "
        "cached for the current data (the page's and the API's, in every language) and compare. Exits 1 if any "
        "differs; --repair rebuilds the tallies from the recount instead."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--query", default="", help=_("The report's filters as in its address, e.g. status=stalled&partner=india.")
        )
        parser.add_argument(
            "--repair", action="store_true", help=_("Rebuild the tallies from a full recount if they differ.")
        )

    def handle(self, *args: Any, query: str, repair: bool, **options: Any) -> None:
        params = QueryDict(query)
        filterset = RecommendationFilterSet(params, queryset=Recommendation.objects.all())
        if not filterset.is_valid():
            problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items())
            raise CommandError(_("Invalid filters: %(problems)s") % {"problems": problems})
        self._check_tallies(repair=repair)
        self._check_cache(params, filterset)

    def _check_tallies(self, *, repair: bool) -> None:
        """Compare the tallies with a full recount; rebuild them on --repair, else fail on a difference."""
        checked = tallies_repair() if repair else tallies.check(repair=False)
        found = checked.differences
        if checked.repaired:
            self.stdout.write(
                _(
                    "The report's tallies differed in %(count)d places; rebuilt them from %(recommendations)d "
                    "recommendations."
                )
                % {"count": len(found), "recommendations": checked.counted}
            )
            return
        if found:
            shown = "; ".join(
                f"{kind} {key} {status}: {want} ≠ {have}" for (kind, key, status), want, have in found[:10]
            )
            raise CommandError(
                _("The report's tallies differ from a recount in %(count)d places (%(shown)s). Run with --repair.")
                % {"count": len(found), "shown": shown}
            )
        self.stdout.write(
            _("The report's tallies match a recount of %(count)d recommendations.") % {"count": checked.counted}
        )

    def _check_cache(self, params: QueryDict, filterset: RecommendationFilterSet) -> None:
        """Compare the figures cached for the (valid) filters with a fresh computation; fail on a difference."""
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
