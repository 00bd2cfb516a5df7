"""Filter fields shared by the filtersets: date-times that refuse what cannot be compared rather than fail later."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

#: The years a date-time filter accepts: wide for any tracker, narrow enough that moving an instant to UTC, to local
#: time or to the start of its month never leaves the calendar.
MIN_YEAR, MAX_YEAR = 1900, 9998
#: Why a date-time is refused.
OUT_OF_RANGE = _("Enter a date and time between the years 1900 and 9998.")


class _InRangeMixin:
    """A date-time within MIN_YEAR and MAX_YEAR: "0001-01-01" in Tokyo is before year 1 in UTC, and made the database
    driver overflow (a 500) instead of being a 400 that names the parameter."""

    def to_python(self, value: Any) -> datetime | None:
        parsed: datetime | None = super().to_python(value)  # type: ignore[misc]
        if parsed is None:
            return None
        try:
            in_utc = parsed.astimezone(UTC) if timezone.is_aware(parsed) else timezone.make_aware(parsed)
        except (OverflowError, ValueError):
            raise forms.ValidationError(OUT_OF_RANGE, code="out_of_range") from None
        if not MIN_YEAR <= in_utc.year <= MAX_YEAR:
            raise forms.ValidationError(OUT_OF_RANGE, code="out_of_range")
        return parsed


class InRangeDateTimeField(_InRangeMixin, forms.DateTimeField):
    """Django's date-time field (a date alone means its midnight), refusing instants beyond what can be compared."""


class InRangeIsoDateTimeField(_InRangeMixin, IsoDateTimeField):
    """django-filter's ISO 8601 date-time field, refusing instants beyond what can be compared."""


class DateTimeFilter(django_filters.DateTimeFilter):
    """A date-time filter whose out-of-range values are 400s, not 500s."""

    field_class = InRangeDateTimeField


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time filter whose out-of-range values are 400s, not 500s."""

    field_class = InRangeIsoDateTimeField


def takes_many(filter_: django_filters.Filter) -> bool:
    """Whether a filter reads several values of its parameter (``?status=a&status=b``)."""
    field_class = getattr(filter_, "field_class", None)
    return isinstance(field_class, type) and issubclass(
        field_class, forms.MultipleChoiceField | forms.ModelMultipleChoiceField
    )


#: Why a parameter given twice is refused.
GIVEN_TWICE = _("Give this parameter once (it takes one value).")


class StrictFilterSet(django_filters.FilterSet):
    """A filterset that refuses a single-valued parameter given twice (``ordering=a&ordering=b``) instead of letting
    the last one win; repeatable filters (status, partner, ...) take every value as before."""

    def is_valid(self) -> bool:
        valid = bool(super().is_valid())
        getlist = getattr(self.data, "getlist", None)
        if getlist is None:
            return valid
        for name, filter_ in self.filters.items():
            if not takes_many(filter_) and len(getlist(name)) > 1:
                self.form.add_error(name, forms.ValidationError(GIVEN_TWICE, code="given_twice"))
                valid = False
        return valid
