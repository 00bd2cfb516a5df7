"""The progress report through the API: the list's filters, counts by status, partner and theme, overdue."""

from __future__ import annotations

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.base import check_query_params
from core.api.permissions import ModelPermissions
from recommendations.choices import Status
from recommendations.filtersets import FILTER_SCHEMA_PARAMETERS, RecommendationFilterSet
from recommendations.models import Recommendation

from ..figures import report_figures
from ..selectors import StatusRow
from .serializers import ProgressReportSerializer


def status_row(row: StatusRow) -> dict[str, Any]:
    """One row of the progress report: counts by status, total and implemented share."""
    return {
        "key": row.key,
        "label": row.label,
        "counts": row.counts,
        "total": row.total,
        "implemented_share": round(row.implemented_share, 4),
    }


class ProgressReportView(APIView):
    """Progress of the recommendations matching the list's filters: by status, by partner, by theme, overdue."""

    queryset = Recommendation.objects.none()  # for ModelPermissions: reading needs view_recommendation
    permission_classes = [ModelPermissions]
    filter_backends = [DjangoFilterBackend]
    filterset_class = RecommendationFilterSet
    schema_parameters = FILTER_SCHEMA_PARAMETERS
    response_serializer_class = ProgressReportSerializer

    def get(self, request: Request) -> Response:
        check_query_params(request, RecommendationFilterSet.base_filters)
        filterset = RecommendationFilterSet(request.query_params, queryset=Recommendation.objects.all())
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        summary = report_figures(queryset=filterset.qs, params=request.query_params).summary
        overall = summary.overall
        return Response(
            {
                "total": summary.total,
                "implemented": overall.implemented,
                "implemented_share": round(overall.implemented_share, 4),
                "overdue": summary.overdue,
                "by_status": [
                    {"status": value, "label": str(label), "count": overall.counts[value]}
                    for value, label in Status.choices
                ],
                "by_partner": [status_row(row) for row in summary.by_partner],
                "by_theme": [status_row(row) for row in summary.by_theme],
                "assessed": summary.assessed,
                "assessment_disagrees": summary.disagreeing,
                "by_response": [
                    {"response": value, "label": label, "count": count} for value, label, count in summary.responses
                ],
            }
        )
