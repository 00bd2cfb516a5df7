"""The change feed: every create, update and delete in commit order, for external tools to sync incrementally."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, cast

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from ..changes import latest_seq
from ..choices import ChangeAction
from ..feed import feed_types, object_type_choices
from ..models import ChangeEvent
from ..translation import localize
from .base import check_query_params
from .pagination import link_header
from .permissions import ModelPermissions

#: Largest seq a client may name (PostgreSQL bigint).
MAX_SEQ = 2**63 - 1


class ChangeFeedQuerySerializer(serializers.Serializer[Any]):
    """Query parameters of the change feed."""

    after = serializers.IntegerField(
        required=False, default=0, min_value=0, max_value=MAX_SEQ, help_text=_("Only changes with a larger seq.")
    )
    limit = serializers.IntegerField(
        required=False, default=50, min_value=1, max_value=500, help_text=_("Most changes per page (1 to 500).")
    )
    object_type = serializers.MultipleChoiceField(
        choices=[], required=False, help_text=_("Only changes of these object types (repeatable).")
    )

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        # The registry is complete once the apps are ready.
        cast(serializers.MultipleChoiceField, fields["object_type"]).choices = object_type_choices()
        return fields


class ChangeEventSerializer(serializers.Serializer[Any]):
    """One change of the feed."""

    seq = serializers.IntegerField(help_text=_("Position in the feed; strictly increasing in commit order."))
    action = serializers.ChoiceField(choices=ChangeAction.choices)
    object_type = serializers.ChoiceField(choices=[])
    object_id = serializers.UUIDField(help_text=_("The changed object's id."))
    time = serializers.DateTimeField()
    actor = serializers.CharField(allow_null=True, help_text=_("Username of who made the change (null: the system)."))
    request_id = serializers.CharField(allow_null=True, help_text=_("The request that made it, for support."))
    data = serializers.DictField(  # type: ignore[assignment]  # a field named like Serializer.data (popped by DRF)
        help_text=_(
            "The object's representation after the change (for a deletion: its last one), as its own endpoint "
            "answers it."
        )
    )
    changes = serializers.DictField(
        child=serializers.ListField(), help_text=_("For updates: the changed fields as {field: [old, new]}.")
    )

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        cast(serializers.ChoiceField, fields["object_type"]).choices = object_type_choices()
        return fields


class ChangeFeedPageSerializer(serializers.Serializer[Any]):
    """A page of the change feed."""

    results = ChangeEventSerializer(many=True)
    next = serializers.URLField(
        allow_null=True, help_text=_("The following page while this one is full; null once you are up to date.")
    )
    next_after = serializers.IntegerField(
        allow_null=True,
        help_text=_(
            "Send it as after= for the following page (the seq of this page's last change); null once you are up "
            "to date."
        ),
    )
    last_seq = serializers.IntegerField(
        help_text=_("The newest seq when the request was answered: with next null, poll again with after=last_seq.")
    )


@functools.cache
def feed_page_serializer() -> type[serializers.Serializer[Any]]:
    """The feed page as the schema describes it: one kind of item per registered object type, told apart by
    ``object_type`` (an OpenAPI discriminator), each with ``data`` in that object's own representation.

    Built when first asked, once every app has registered its object types.
    """
    kinds: dict[str, serializers.Serializer[Any] | type[serializers.Serializer[Any]]] = {}
    for feed_type in feed_types():
        name = "".join(part.title() for part in feed_type.object_type.split("_"))
        kinds[feed_type.object_type] = type(
            f"{name}ChangeSerializer",
            (ChangeEventSerializer,),
            {
                "__doc__": f"A change of a {feed_type.object_type.replace('_', ' ')}.",
                "object_type": serializers.ChoiceField(choices=[feed_type.object_type]),
                "data": feed_type.serializer(
                    read_only=True,
                    help_text=_("The object's representation after the change (for a deletion: its last one)."),
                ),
                "get_fields": serializers.Serializer.get_fields,
            },
        )
    items = PolymorphicProxySerializer(
        component_name="ChangeEvent", serializers=kinds, resource_type_field_name="object_type", many=True
    )
    return type("ChangeFeedPageSerializer", (ChangeFeedPageSerializer,), {"results": items})


def absolute_urls(request: Request, value: Any) -> Any:
    """``value`` with every "url" member that is a site-relative path made absolute, at any depth."""
    if isinstance(value, dict):
        return {
            key: request.build_absolute_uri(item)
            if key == "url" and isinstance(item, str) and item.startswith("/")
            else absolute_urls(request, item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [absolute_urls(request, item) for item in value]
    return value


class ChangeFeedView(APIView):
    """Every create, update and delete in commit order: poll with ``after=<the last seq you saw>``.

    Writers hold one lock from before their first change-feed row until they commit, so ``seq`` grows in commit
    order and a row with a smaller ``seq`` than one you have seen can never appear later.
    """

    queryset = ChangeEvent.objects.none()  # for ModelPermissions: reading needs view_changeevent
    permission_classes = [ModelPermissions]

    query_serializer_class = ChangeFeedQuerySerializer
    response_serializer = staticmethod(feed_page_serializer)

    def get(self, request: Request) -> Response:
        check_query_params(request, ChangeFeedQuerySerializer().fields, single=["after", "limit"])
        query = ChangeFeedQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        after, limit = query.validated_data["after"], query.validated_data["limit"]
        object_types = query.validated_data.get("object_type")
        # The newest seq is read before the page: every change up to it has committed (commit order), so the page
        # below sees them all, and a client may resume from last_seq without missing a change.
        newest = latest_seq()
        events = ChangeEvent.objects.filter(seq__gt=after).order_by("seq")
        if object_types:
            events = events.filter(object_type__in=object_types)
        rows = list(
            events.values(
                "seq", "action", "object_type", "object_id", "created_at", "actor_name", "request_id", "data", "changes"
            )[:limit]
        )
        results = [self.item(request, row) for row in rows]
        last_seq = max(newest, rows[-1]["seq"] if rows else 0)
        next_url = next_after = None
        if len(rows) == limit:
            next_after = rows[-1]["seq"]
            next_url = replace_query_param(request.build_absolute_uri(), "after", next_after)
        return Response(
            {"results": results, "next": next_url, "next_after": next_after, "last_seq": last_seq},
            headers=link_header(next=next_url),
        )

    @staticmethod
    def item(request: Request, row: Mapping[str, Any]) -> dict[str, Any]:
        """One feed item, with every site-relative URL of the stored representation made absolute, nested ones too
        (as the resource's own endpoint writes them), and the plain translated fields in the request's language (the
        entry stores both languages' columns; labels of choices stay as written, in English)."""
        data = localize(absolute_urls(request, row["data"]))
        return {
            "seq": row["seq"],
            "action": row["action"],
            "object_type": row["object_type"],
            "object_id": row["object_id"],
            "time": row["created_at"],
            "actor": row["actor_name"] or None,
            "request_id": row["request_id"] or None,
            "data": data,
            "changes": row["changes"],
        }
