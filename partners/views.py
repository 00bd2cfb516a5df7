"""Web pages of partners: every partner grouped by kind with its progress, and one partner with its recommendations."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from recommendations.charts import stacked_bar
from recommendations.choices import Status
from recommendations.models import Recommendation, RecommendationPartner
from recommendations.selectors import partners_with_progress, status_counts

from .choices import PartnerKind
from .models import Partner


@login_required
@permission_required("partners.view_partner", raise_exception=True)
@require_GET
def partner_list(request: HttpRequest) -> HttpResponse:
    """Partners grouped by kind, each with the number of its recommendations and a small progress bar."""
    by_kind: dict[str, list] = {kind: [] for kind in PartnerKind.values}
    for partner, row in partners_with_progress():
        by_kind.setdefault(partner.kind, []).append((partner, row, stacked_bar(row.counts)))
    groups = [(PartnerKind(kind).label, partners) for kind, partners in by_kind.items() if partners]
    return render(request, "partners/partner_list.html", {"groups": groups, "statuses": Status.choices})


@login_required
@permission_required("partners.view_partner", raise_exception=True)
@require_GET
def partner_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A partner: what it is, its members or memberships, its recommendations with their status and its role."""
    partner = get_object_or_404(Partner, slug=slug)
    links = (
        RecommendationPartner.objects.filter(partner=partner)
        .select_related("recommendation", "recommendation__source")
        .order_by("recommendation__reference")
    )
    progress = status_counts(queryset=Recommendation.objects.filter(partner_links__partner=partner))
    query = QueryDict(mutable=True)
    query["partner"] = partner.slug
    context = {
        "partner": partner,
        "links": list(links),
        "members": list(partner.members.order_by("name")),
        "memberships": list(partner.memberships.order_by("name")),
        "progress": progress,
        "segments": stacked_bar(progress.counts),
        "statuses": Status.choices,
        "list_url": f"{reverse('recommendations:list')}?{query.urlencode()}",
        "report_url": f"{reverse('recommendations:report')}?{query.urlencode()}",
    }
    return render(request, "partners/partner_detail.html", context)
