"""The filter panels' checkboxes, written in Python (``choice_inputs``), are the inputs Django's widgets write."""

from html.parser import HTMLParser

import pytest
from django.http import QueryDict

from core.templatetags.tracker import choice_inputs
from recommendations.filtersets import RecommendationFilterSet
from recommendations.forms import style_filter_form
from recommendations.models import Recommendation
from tests.factories import PartnerFactory, SourceFactory, ThemeFactory


class _Inputs(HTMLParser):
    """Every <input> of a piece of HTML, as a dict of its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "input":
            self.found.append(dict(attrs))


def _inputs(html: str) -> list[dict[str, str | None]]:
    parser = _Inputs()
    parser.feed(html)
    return parser.found


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["status", "response", "assessment", "partner", "theme", "source", "priority"])
def test_choice_inputs_are_the_widgets_own(name: str) -> None:
    PartnerFactory(slug="india", name='India <&> "Quad"')
    SourceFactory(slug="nss-2022")
    ThemeFactory(slug="maritime")
    data = QueryDict("status=in_progress&status=stalled&partner=india&source=nss-2022&response=accepted")
    form = style_filter_form(RecommendationFilterSet(data, queryset=Recommendation.objects.all()).form)
    field = form[name]
    ours = choice_inputs(field)
    theirs = list(field)
    assert len(ours) == len(theirs) > 0
    for (tag, label), option in zip(ours, theirs, strict=True):
        assert _inputs(str(tag)) == _inputs(str(option.tag()))
        assert label == option.choice_label
    assert all(attrs["type"] == "checkbox" for tag, _ in ours for attrs in _inputs(str(tag)))
    checked = [attrs["value"] for attrs in _inputs("".join(str(tag) for tag, _ in ours)) if "checked" in attrs]
    assert checked == data.getlist(name)
