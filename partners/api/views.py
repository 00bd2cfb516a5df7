"""API views for partners."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError

from core.api.base import VersionedResourceViewSet, in_use_conflict

from ..models import Partner
from ..services import partner_create, partner_delete, partner_update
from .serializers import PartnerSerializer, PartnerWriteSerializer


class PartnerViewSet(VersionedResourceViewSet[Partner]):
    """Countries, frameworks, organisations, regions and agencies that recommendations concern."""

    queryset = Partner.objects.prefetch_related("members").order_by("id")
    serializer_class = PartnerSerializer
    write_serializer_class = PartnerWriteSerializer
    detail_view_name = "api:partner-detail"
    delete_may_conflict = True  # a partner recommendations concern is not deleted (409)

    def perform_service_create(self, data: dict[str, Any]) -> Partner:
        members = data.pop("members", [])
        return partner_create(actor=self.request.user, data=data, members=members)

    def perform_service_update(self, instance: Partner, data: dict[str, Any], expected_version: int | None) -> Partner:
        members = data.pop("members", None)
        return partner_update(
            partner=instance, actor=self.request.user, data=data, members=members, expected_version=expected_version
        )

    def perform_service_delete(self, instance: Partner, expected_version: int | None) -> None:
        try:
            partner_delete(partner=instance, actor=self.request.user, expected_version=expected_version)
        except DjangoValidationError as error:
            raise in_use_conflict(error) from error
