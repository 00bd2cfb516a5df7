"""Helpers of the admin tests: a recommendation's change page and what its form posts."""

from django.urls import reverse


def change_url(recommendation):
    return reverse("admin:recommendations_recommendation_change", args=[recommendation.pk])


#: The empty management forms of the two link inlines (outgoing links, incoming links).
LINK_INLINES = {
    f"{prefix}-{name}": value
    for prefix in ("links_out", "links_in")
    for name, value in [("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"), ("MIN_NUM_FORMS", "0"), ("MAX_NUM_FORMS", "1000")]
}


def form_data(recommendation, **overrides):
    """What the change form posts for ``recommendation`` as it stands, with one partner row."""
    link = recommendation.partner_links.get()
    data = {
        "reference": recommendation.reference,
        "title_en": recommendation.title_en,
        "title_ja": recommendation.title_ja or "",
        "description_en": recommendation.description_en,
        "description_ja": recommendation.description_ja or "",
        "source_excerpt": recommendation.source_excerpt,
        "source": recommendation.source_id,
        "section": recommendation.section,
        "themes": [t.pk for t in recommendation.themes.all()],
        "priority": recommendation.priority,
        "team": recommendation.team,
        "target_date": "",
        "status": recommendation.status,
        "status_note": "",
        "evidence_url": "",
        "opened_version": recommendation.version,
        "partner_links-TOTAL_FORMS": "1",
        "partner_links-INITIAL_FORMS": "1",
        "partner_links-MIN_NUM_FORMS": "0",
        "partner_links-MAX_NUM_FORMS": "1000",
        "partner_links-0-id": link.pk,
        "partner_links-0-recommendation": recommendation.pk,
        "partner_links-0-partner": link.partner_id,
        "partner_links-0-role": link.role,
        "status_updates-TOTAL_FORMS": "0",
        "status_updates-INITIAL_FORMS": "0",
        "status_updates-MIN_NUM_FORMS": "0",
        "status_updates-MAX_NUM_FORMS": "1000",
        **LINK_INLINES,
    }
    data.update(overrides)
    return data
