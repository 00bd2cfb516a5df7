"""The progress report's answer in the OpenAPI schema (the view builds it as plain data)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from recommendations.choices import Response, Status


class StatusCountSerializer(serializers.Serializer[Any]):
    """How many recommendations have one status."""

    status = serializers.ChoiceField(choices=Status.choices)
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label (DRF pops it)
    count = serializers.IntegerField()


class ResponseCountSerializer(serializers.Serializer[Any]):
    """How many recommendations have one response."""

    response = serializers.ChoiceField(choices=Response.choices)
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label (DRF pops it)
    count = serializers.IntegerField()


class ProgressRowSerializer(serializers.Serializer[Any]):
    """Counts by status for one partner or theme."""

    key = serializers.CharField(help_text="The partner's or theme's slug.")
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label (DRF pops it)
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="{status: count} for every status.")
    total = serializers.IntegerField()
    implemented_share = serializers.FloatField()


class ProgressReportSerializer(serializers.Serializer[Any]):
    """The progress report of the recommendations matching the filters."""

    total = serializers.IntegerField()
    implemented = serializers.IntegerField()
    implemented_share = serializers.FloatField(help_text="Implemented as a share of the total, 0 to 1.")
    overdue = serializers.IntegerField(help_text="Open recommendations past their target date.")
    by_status = StatusCountSerializer(many=True)
    by_partner = ProgressRowSerializer(many=True)
    by_theme = ProgressRowSerializer(many=True)
    assessed = serializers.IntegerField(help_text="Recommendations with an independent assessment.")
    assessment_disagrees = serializers.IntegerField(
        help_text="Of those, how many disagree with the self-reported status."
    )
    by_response = ResponseCountSerializer(many=True)
