"""The page of likely duplicates: recommendations from different sources whose texts read alike."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.views import page
from recommendations.selectors import likely_duplicates

#: Who may see the page: whoever may see recommendations.
VIEW = "recommendations.view_recommendation"
#: The most pairs the page lists.
MAX_PAIRS = 100


@page(VIEW)
def duplicate_list(request: HttpRequest) -> HttpResponse:
    """Pairs of recommendations from different sources that read alike and are not linked yet, most alike first."""
    pairs = likely_duplicates(limit=MAX_PAIRS)
    return render(request, "proposals/duplicate_list.html", {"pairs": pairs, "section": "recommendations"})
