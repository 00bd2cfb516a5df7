"""Representations of partners in the API and the change feed."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from core.api.fields import ChoiceLabelField, CreateIdMixin, SlugRelatedField, StrictFieldsMixin, create_id_field
from core.api.translation import BilingualReadMixin, TranslatedFieldsMixin

from ..choices import PartnerKind
from ..models import Partner


class PartnerSummarySerializer(BilingualReadMixin, serializers.ModelSerializer[Partner]):
    """A partner as a small nested object: id, slug, name."""

    id = serializers.UUIDField(source="uuid", read_only=True)

    class Meta:
        model = Partner
        fields = ["id", "slug", "name"]
        read_only_fields = fields


class PartnerSerializer(BilingualReadMixin, serializers.ModelSerializer[Partner]):
    """A partner in full."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:partner-detail", lookup_field="uuid")
    kind_label = ChoiceLabelField(field="kind", choices=PartnerKind.choices)
    members = PartnerSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Partner
        fields = [
            "id",
            "url",
            "slug",
            "name",
            "short_name",
            "kind",
            "kind_label",
            "added_by_tracker",
            "members",
            "description",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]


#: Most members a partner may list in a write.
MAX_MEMBERS = 200


class PartnerWriteSerializer(
    TranslatedFieldsMixin, StrictFieldsMixin, CreateIdMixin, serializers.ModelSerializer[Partner]
):
    """What a client may send to create or change a partner (members by slug)."""

    representation_serializer = PartnerSerializer
    id = create_id_field(gettext_lazy("partner"))

    members = SlugRelatedField(
        slug_field="slug",
        queryset=Partner.objects.all(),
        many=True,
        required=False,
        help_text=gettext_lazy("Slugs of the member partners (for a framework or organisation)."),
    )

    class Meta:
        model = Partner
        fields = ["id", "slug", "name", "short_name", "kind", "added_by_tracker", "members", "description"]

    def validate_members(self, value: list[Partner]) -> list[Partner]:
        if len(value) > MAX_MEMBERS:
            raise serializers.ValidationError(
                _("Ensure this field has no more than %(count)d elements.") % {"count": MAX_MEMBERS}
            )
        return value
