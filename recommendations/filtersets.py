"""The one filterset for recommendations: the HTML list, the exports, the reports and the API all use it, so a
parameter means the same everywhere and a report link and an API query share their query string."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any, cast

import django_filters
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field

from core.filters import DateTimeFilter, IsoDateTimeFilter, StrictFilterSet
from core.i18n import lazy_format
from core.models import field_max_length
from core.translation import columns, localized
from partners.choices import PartnerKind
from partners.models import Partner

from .choices import AGREEING_RATINGS, ATTENTION_STALE_DAYS, PRIORITY_RANK, Priority, Rating, Response, Status
from .models import (
    Assessment,
    Evidence,
    Milestone,
    PartnerStatusUpdate,
    Recommendation,
    RecommendationPartner,
    ResponseUpdate,
    Source,
    StatusUpdate,
    Theme,
)
from .models.recommendation import RecommendationQuerySet, attention_expression

#: Lifecycle order of the statuses, used when sorting by status.
STATUS_RANK = {status: rank for rank, status in enumerate(Status.values, start=1)}

#: Largest accepted value of the "stale" filter (ten years).
MAX_STALE_DAYS = 3650


def status_rank(field: str) -> Case:
    """The lifecycle rank of the status in ``field`` (what sorting by status sorts by; unknown ones last)."""
    return Case(
        *[When(**{field: value}, then=Value(rank)) for value, rank in STATUS_RANK.items()],
        default=Value(99),
        output_field=IntegerField(),
    )


def with_sort_keys(queryset: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    """Annotate the keys that sorting uses: the title in the reader's language (the other one where it has none),
    the ranks of status and priority (lifecycle order, high priority first). The status is the one a list as of a
    past day shows where the set holds it (``existing_on``'s ``status_on``), so that sorting by status follows it."""
    status = "status_on" if "status_on" in queryset.query.annotations else "status"
    return queryset.annotate(
        title_sort=localized("title"),
        status_rank=status_rank(status),
        priority_rank=Case(
            *[When(priority=priority, then=Value(rank)) for priority, rank in PRIORITY_RANK.items()],
            default=Value(99),
            output_field=IntegerField(),
        ),
    )


class SlugChoiceField(django_filters.fields.ModelMultipleChoiceField):
    """Slugs of existing objects; a value with a NUL byte is not one (PostgreSQL would fail the lookup: a 500)."""

    def _check_values(self, value: Any) -> QuerySet[Any]:
        for item in value:
            if "\x00" in str(item):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": "\\x00"}
                )
        # A private method of Django's field, absent from django-stubs.
        checked: QuerySet[Any] = super()._check_values(value)  # type: ignore[misc]
        return checked


class AnyOfFilter(django_filters.MultipleChoiceFilter):
    """Any of several values of one of the row's own columns (``?status=stalled&status=in_progress``).

    Each row matches at most once, so no DISTINCT: django-filter adds one by default, which made the database sort and
    de-duplicate every filtered set, and every report's subquery of it, for nothing.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.STR)
class SlugFilter(django_filters.ModelMultipleChoiceFilter):
    """A repeatable filter by the slug of an object the row points to (documented in the schema as a string); one
    row each, so no DISTINCT (as ``AnyOfFilter``)."""

    field_class = SlugChoiceField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.STR)
class SlugMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """A repeatable filter by slug (``?partner=india&partner=quad``) that matches any of the given values.

    It filters with a subquery instead of a join, so a recommendation never appears twice and no DISTINCT is needed.
    """

    field_class = SlugChoiceField

    def __init__(
        self, *args: Any, through_filter: Callable[[QuerySet[Any]], QuerySet[Any, Any]] | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("conjoined", False)
        self.through_filter = through_filter
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if not value:
            return qs
        if self.through_filter is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a through_filter.")
        return qs.filter(pk__in=self.through_filter(value))


class StrictBooleanField(forms.Field):
    """A yes/no query parameter that rejects anything but true/false, 1/0, yes/no, on/off (empty: not given)."""

    TRUE = frozenset({"true", "1", "yes", "on"})
    FALSE = frozenset({"false", "0", "no", "off"})
    widget = forms.Select(choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))])

    def to_python(self, value: Any) -> bool | None:
        if value in (None, "") or isinstance(value, bool):
            return None if value == "" else value
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(_("Use true or false."), code="invalid")

    def validate(self, value: Any) -> None:
        """Empty is allowed: the filter is then not applied."""


class StrictBooleanFilter(django_filters.Filter):
    """A boolean filter that refuses values it does not understand instead of ignoring them."""

    field_class = StrictBooleanField


class RecommendationOrderingFilter(django_filters.OrderingFilter):
    """Sorting by a column, with the primary key as tie-breaker so that every order is total and stable."""

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        qs = super().filter(qs, value)
        ordering = cast("list[str]", list(qs.query.order_by))  # OrderingFilter orders by field names
        if ordering and not any(field.lstrip("-") in {"id", "pk"} for field in ordering):
            descending = ordering[0].startswith("-")
            qs = qs.order_by(*ordering, "-id" if descending else "id")
        return qs


class RecommendationFilterSet(StrictFilterSet):
    """Filters of the recommendation list, the reports, the exports and the API."""

    q = django_filters.CharFilter(
        method="filter_search",
        label=_("Search"),
        max_length=200,
        help_text=_(
            "Words in the reference, the title or description (Japanese or English), the excerpt or a status note."
        ),
    )
    status = AnyOfFilter(choices=Status.choices, label=_("Status"), widget=forms.CheckboxSelectMultiple)
    assessment = AnyOfFilter(
        choices=Rating.choices,
        label=_("Assessment"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The latest independent assessment's rating; repeat for any of several."),
    )
    disagreement = StrictBooleanFilter(
        method="filter_disagreement",
        label=_("Assessment disagrees"),
        help_text=_("true: the latest independent assessment disagrees with the self-reported status."),
    )
    has_evidence = StrictBooleanFilter(
        method="filter_has_evidence",
        label=_("Has evidence"),
        help_text=_("true: recommendations with at least one piece of evidence (a file or a link); false: without."),
    )
    response = AnyOfFilter(
        choices=Response.choices,
        label=_("Response"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The addressee's response; repeat for any of several."),
    )
    partner = SlugMultipleChoiceFilter(
        queryset=lambda request: Partner.objects.order_by(localized("name"), "slug"),
        label=_("Partner"),
        through_filter=lambda partners: RecommendationPartner.objects.filter(partner__in=partners).values(
            "recommendation_id"
        ),
        help_text=_("Partner slug; repeat for any of several."),
    )
    theme = SlugMultipleChoiceFilter(
        queryset=lambda request: Theme.objects.order_by(localized("name"), "slug"),
        label=_("Theme"),
        through_filter=lambda themes: Recommendation.themes.through.objects.filter(theme__in=themes).values(
            "recommendation_id"
        ),
        help_text=_("Theme slug; repeat for any of several."),
    )
    priority = AnyOfFilter(choices=Priority.choices, label=_("Priority"))
    source = SlugFilter(
        queryset=lambda request: Source.objects.order_by(localized("title"), "slug"),
        to_field_name="slug",
        field_name="source__slug",
        label=_("Source"),
        help_text=_("Source slug; repeat for any of several."),
    )
    agency = SlugFilter(
        queryset=lambda request: Partner.objects.filter(kind=PartnerKind.AGENCY).order_by(localized("name"), "slug"),
        to_field_name="slug",
        field_name="agency__slug",
        label=_("Responsible agency"),
        help_text=_("The responsible agency's slug; repeat for any of several."),
    )
    lead = django_filters.CharFilter(
        field_name="lead__username",
        lookup_expr="exact",
        label=_("Responsible lead"),
        max_length=150,
        help_text=_("The responsible lead's user name."),
    )
    team = django_filters.CharFilter(
        field_name="team", lookup_expr="iexact", label=_("Team"), max_length=field_max_length(Recommendation, "team")
    )
    overdue = StrictBooleanFilter(
        method="filter_overdue",
        label=_("Overdue"),
        help_text=_("true: open with a past target date; false: all others."),
    )
    attention = StrictBooleanFilter(
        method="filter_attention",
        label=_("Needs attention"),
        help_text=lazy_format(
            _("true: open and overdue, stalled, or not updated for %(days)d days; false: all others."),
            days=ATTENTION_STALE_DAYS,
        ),
    )
    stale = django_filters.NumberFilter(
        method="filter_stale",
        label=_("Stale for days"),
        min_value=1,
        max_value=MAX_STALE_DAYS,
        help_text=_("Open recommendations not updated for at least this many days."),
    )
    target_after = django_filters.DateFilter(
        field_name="target_date", lookup_expr="gte", label=_("Target from"), help_text=_("YYYY-MM-DD, inclusive.")
    )
    target_before = django_filters.DateFilter(
        field_name="target_date", lookup_expr="lte", label=_("Target until"), help_text=_("YYYY-MM-DD, inclusive.")
    )
    updated_after = DateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=_("Updated since"),
        help_text=_("Date or ISO 8601 date-time, inclusive."),
    )
    updated_before = DateTimeFilter(
        field_name="updated_at",
        lookup_expr="lt",
        label=_("Updated before"),
        help_text=_("Date or ISO 8601 date-time, exclusive."),
    )
    ordering = RecommendationOrderingFilter(
        fields=[
            ("reference", "reference"),
            ("title_sort", "title"),
            ("status_rank", "status"),
            ("priority_rank", "priority"),
            ("target_date", "target_date"),
            ("updated_at", "updated_at"),
            ("created_at", "created_at"),
        ],
        field_labels={
            "reference": _("Reference"),
            "title_sort": _("Title"),
            "status_rank": _("Status"),
            "priority_rank": _("Priority"),
            "target_date": _("Target date"),
            "updated_at": _("Last update"),
            "created_at": pgettext_lazy("date", "Created"),
        },
        label=_("Sort by"),
    )

    class Meta:
        model = Recommendation
        fields: list[str] = []

    def __init__(
        self,
        data: QueryDict | dict[str, Any] | None = None,
        queryset: QuerySet[Recommendation] | None = None,
        **kwargs: Any,
    ) -> None:
        if queryset is None:
            queryset = Recommendation.objects.all()
        super().__init__(data, with_sort_keys(queryset), **kwargs)

    def filter_search(self, queryset: QuerySet[Recommendation], name: str, value: str) -> QuerySet[Recommendation]:
        """Every word must appear in the reference, the title or description in either language, the excerpt, a
        status note, or the aliases of one of its partners ("Seoul" finds South Korea's) (case-insensitive, as a
        substring: Japanese has no spaces between words, so 指針 finds 日米防衛協力のための指針). Full-width letters
        and digits are read as their ASCII forms (ＡＳＥＡＮ is ASEAN). A whole value that is a recommendation's id (its
        UUID, as the pages' addresses and the API show it) finds that recommendation."""
        try:
            return queryset.filter(uuid=uuid.UUID(value.strip()))
        except ValueError:
            pass
        text_columns = ["reference", *columns("title"), *columns("description"), "source_excerpt"]
        for word in unicodedata.normalize("NFKC", value).split():
            in_text = Q()
            for column_name in text_columns:
                in_text |= Q(**{f"{column_name}__icontains": word})
            in_notes = Exists(
                StatusUpdate.objects.filter(recommendation=OuterRef("pk"), note__icontains=word).values("pk")
            )
            by_alias = Exists(
                RecommendationPartner.objects.filter(
                    recommendation=OuterRef("pk"), partner__aliases__icontains=word
                ).values("pk")
            )
            queryset = queryset.filter(in_text | in_notes | by_alias)
        return queryset

    def filter_has_evidence(
        self, queryset: QuerySet[Recommendation], name: str, value: bool | None
    ) -> QuerySet[Recommendation]:
        """Recommendations with (true) or without (false) evidence."""
        if value is None:
            return queryset
        has = Exists(Evidence.objects.filter(recommendation=OuterRef("pk")))
        return queryset.filter(has) if value else queryset.exclude(has)

    def filter_disagreement(
        self, queryset: QuerySet[Recommendation], name: str, value: bool | None
    ) -> QuerySet[Recommendation]:
        """Recommendations whose latest assessment disagrees with their status (or, for false, all the others)."""
        if value is None:
            return queryset
        agreeing = Q(assessment="")
        for status, ratings in AGREEING_RATINGS.items():
            agreeing |= Q(status=status, assessment__in=sorted(ratings))
        return queryset.exclude(agreeing) if value else queryset.filter(agreeing)

    def filter_overdue(
        self, queryset: QuerySet[Recommendation], name: str, value: bool | None
    ) -> QuerySet[Recommendation]:
        """Open recommendations past their target date (or, for false, all the others)."""
        if value is None:
            return queryset
        overdue = Recommendation.objects.overdue().values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)

    def filter_attention(
        self, queryset: QuerySet[Recommendation], name: str, value: bool | None
    ) -> QuerySet[Recommendation]:
        """What needs attention: open and overdue, stalled or stale (or, for false, all the others)."""
        if value is None:
            return queryset
        return queryset.alias(needs_attention=attention_expression()).filter(needs_attention=value)

    def filter_stale(
        self, queryset: RecommendationQuerySet, name: str, value: Decimal | None
    ) -> RecommendationQuerySet:
        """Open recommendations whose last update is at least ``value`` days old."""
        if value is None:
            return queryset
        return queryset.open().filter(updated_at__lte=timezone.now() - timedelta(days=int(value)))


class StatusUpdateFilterSet(StrictFilterSet):
    """Filters of the timeline in the API: one recommendation's entries, entries to a status, entries in a period."""

    recommendation = django_filters.UUIDFilter(
        field_name="recommendation__uuid", label=_("Recommendation"), help_text=_("The recommendation's id (UUID).")
    )
    to_status = AnyOfFilter(choices=Status.choices, label=_("New status"))
    created_after = IsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", label=_("Recorded since"), help_text=_("ISO 8601, inclusive.")
    )
    created_before = IsoDateTimeFilter(
        field_name="created_at", lookup_expr="lt", label=_("Recorded before"), help_text=_("ISO 8601, exclusive.")
    )

    class Meta:
        model = StatusUpdate
        fields: list[str] = []


class AssessmentFilterSet(StrictFilterSet):
    """Filters of assessments in the API: one recommendation's, by rating."""

    recommendation = django_filters.UUIDFilter(
        field_name="recommendation__uuid", label=_("Recommendation"), help_text=_("The recommendation's id (UUID).")
    )
    rating = AnyOfFilter(choices=Rating.choices, label=_("Rating"))

    class Meta:
        model = Assessment
        fields: list[str] = []


class MilestoneFilterSet(StrictFilterSet):
    """Filters of milestones in the API: one recommendation's, done or not."""

    recommendation = django_filters.UUIDFilter(
        field_name="recommendation__uuid", label=_("Recommendation"), help_text=_("The recommendation's id (UUID).")
    )
    done = django_filters.BooleanFilter(
        field_name="done_on", lookup_expr="isnull", exclude=True, label=_("Done"), help_text=_("true or false.")
    )

    class Meta:
        model = Milestone
        fields: list[str] = []


class ResponseUpdateFilterSet(StrictFilterSet):
    """Filters of the response entries in the API: one recommendation's, entries to a response, entries in a period."""

    recommendation = django_filters.UUIDFilter(
        field_name="recommendation__uuid", label=_("Recommendation"), help_text=_("The recommendation's id (UUID).")
    )
    to_response = AnyOfFilter(choices=Response.choices, label=_("New response"))
    created_after = IsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", label=_("Recorded since"), help_text=_("ISO 8601, inclusive.")
    )
    created_before = IsoDateTimeFilter(
        field_name="created_at", lookup_expr="lt", label=_("Recorded before"), help_text=_("ISO 8601, exclusive.")
    )

    class Meta:
        model = ResponseUpdate
        fields: list[str] = []


#: The recommendation filters that filter (every parameter but the sort order), in the filterset's order: the web
#: list's filter chips and the report's links read them from here.
FILTER_PARAMS = tuple(name for name in RecommendationFilterSet.base_filters if name != "ordering")

#: Types of the filters that django-filter cannot tell the schema (they filter through methods).
FILTER_SCHEMA_PARAMETERS = [
    OpenApiParameter("overdue", OpenApiTypes.BOOL, description=_("true: open with a past target date; false: others.")),
    OpenApiParameter(
        "stale",
        {"type": "integer", "minimum": 1, "maximum": MAX_STALE_DAYS},
        description=_("Open recommendations not updated for at least this many days."),
    ),
]


class PartnerStatusFilterSet(StrictFilterSet):
    """Filters of per-partner statuses in the API: one recommendation's, one partner's, by status."""

    recommendation = django_filters.UUIDFilter(
        field_name="recommendation__uuid", label=_("Recommendation"), help_text=_("The recommendation's id (UUID).")
    )
    partner = django_filters.CharFilter(
        field_name="partner__slug", label=_("Partner"), help_text=_("The partner's slug.")
    )
    status = AnyOfFilter(
        choices=Status.choices,
        label=_("Status"),
        help_text=_("The status with the partner; repeat for any of several."),
    )
    recorded = StrictBooleanFilter(
        method="filter_recorded",
        label=_("Recorded"),
        help_text=_("true: only partners with a status of their own; false: only those without."),
    )

    class Meta:
        model = RecommendationPartner
        fields: list[str] = []

    def filter_recorded(
        self, queryset: QuerySet[RecommendationPartner], name: str, value: bool | None
    ) -> QuerySet[RecommendationPartner]:
        """Partners with (true) or without (false) a status of their own."""
        if value is None:
            return queryset
        return queryset.exclude(status="") if value else queryset.filter(status="")


class PartnerStatusUpdateFilterSet(StrictFilterSet):
    """Filters of per-partner timeline entries in the API: one recommendation's, one partner's."""

    recommendation = django_filters.UUIDFilter(
        field_name="recommendation__uuid", label=_("Recommendation"), help_text=_("The recommendation's id (UUID).")
    )
    partner = django_filters.CharFilter(
        field_name="partner__slug", label=_("Partner"), help_text=_("The partner's slug.")
    )

    class Meta:
        model = PartnerStatusUpdate
        fields: list[str] = []


class EvidenceFilterSet(StrictFilterSet):
    """Filters of evidence in the API: one recommendation's, files or links, verified or not, publishable or not."""

    recommendation = django_filters.UUIDFilter(
        field_name="recommendation__uuid", label=_("Recommendation"), help_text=_("The recommendation's id (UUID).")
    )
    kind = django_filters.ChoiceFilter(
        choices=[("file", _("File")), ("link", _("Link"))], method="filter_kind", label=_("Kind")
    )
    verified = StrictBooleanFilter(field_name="verified_by", lookup_expr="isnull", exclude=True, label=_("Verified"))
    publishable = StrictBooleanFilter(label=_("Publishable"))

    class Meta:
        model = Evidence
        fields: list[str] = []

    def filter_kind(self, queryset: QuerySet[Evidence], name: str, value: str) -> QuerySet[Evidence]:
        """Uploaded files or links."""
        if not value:
            return queryset
        return queryset.exclude(file="") if value == "file" else queryset.filter(file="")
