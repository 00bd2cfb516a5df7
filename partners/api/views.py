"""API views for partners."""

from rest_framework import viewsets

from ..models import Partner
from .serializers import PartnerSerializer


class PartnerViewSet(viewsets.ReadOnlyModelViewSet):
    """Countries, frameworks, organisations, regions and agencies that recommendations concern."""

    queryset = Partner.objects.prefetch_related("members").order_by("id")
    serializer_class = PartnerSerializer
    lookup_field = "uuid"
