"""The commentary's data: it loads, it is complete and faithful, and loading it again changes nothing."""

import json
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from core.models import ChangeEvent
from partners.models import Partner
from recommendations.choices import PartnerRole, Priority, Status
from recommendations.models import Recommendation, Source, StatusUpdate, Theme
from recommendations.services import recommendation_update
from transfer.bundles import bundle_load, bundle_read

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "fixtures" / "tokuchi-2023-nss-commentary.json"
# The commentary sits beside the project in ../shared; COMMENTARY_TXT points elsewhere (e.g. on a CI clone).
COMMENTARY = Path(os.environ.get("COMMENTARY_TXT", ROOT.parent / "shared" / "source" / "commentary.txt"))
DATA = json.loads(BUNDLE.read_text(encoding="utf-8"))


JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_bundle_is_well_formed():
    assert DATA["format"] == "policy-tracker-bundle/2"
    partner_slugs = [p["slug"] for p in DATA["partners"]]
    theme_slugs = [t["slug"] for t in DATA["themes"]]
    references = [r["reference"] for r in DATA["recommendations"]]
    ids = [r["id"] for r in DATA["recommendations"]] + [p["id"] for p in DATA["partners"]]
    assert len(set(partner_slugs)) == len(partner_slugs)
    assert len(set(theme_slugs)) == len(theme_slugs)
    assert len(set(references)) == len(references)
    assert len(set(ids)) == len(ids)
    for partner in DATA["partners"]:
        assert set(partner["members"]) <= set(partner_slugs), partner["slug"]


@pytest.mark.parametrize("item", DATA["recommendations"], ids=lambda r: r["reference"])
def test_every_recommendation_is_complete(item):
    for name in ("title_en", "title_ja", "description_en", "description_ja"):
        assert item[name].strip(), name
    assert JAPANESE.search(item["title_ja"]) and JAPANESE.search(item["description_ja"])
    assert item["section"].strip()
    assert item["source_excerpt"].strip()
    assert item["partners"], "at least one partner"
    assert item["themes"], "at least one theme"
    assert item["status"] == Status.PROPOSED, "the text states no progress"
    assert item["priority"] in Priority.values
    for link in item["partners"]:
        assert link["role"] in ["", *PartnerRole.values]


@pytest.mark.skipif(not COMMENTARY.exists(), reason=f"{COMMENTARY} is not present")
@pytest.mark.parametrize("item", DATA["recommendations"], ids=lambda r: r["reference"])
def test_every_excerpt_is_verbatim_in_the_commentary(item):
    assert normalise(item["source_excerpt"]) in normalise(COMMENTARY.read_text(encoding="utf-8"))


@pytest.mark.skipif(not COMMENTARY.exists(), reason=f"{COMMENTARY} is not present")
def test_sections_are_headings_of_the_commentary():
    text = COMMENTARY.read_text(encoding="utf-8")
    for item in DATA["recommendations"]:
        for heading in item["section"].split(" › "):
            assert heading == "Introduction" or heading in text, heading


def test_the_commentary_names_its_partners_in_the_right_places():
    """Spot checks of the links managers filter by."""
    by_title = {r["title_en"]: {p["slug"] for p in r["partners"]} for r in DATA["recommendations"]}
    assert {"united-states", "japan-coast-guard", "us-coast-guard"} <= by_title[
        "Bring both countries' coast guards into a new framework for bilateral security cooperation"
    ]
    assert "vietnam" in by_title["Work with Vietnam on underwater clearance of unexploded ordnance"]
    assert "taiwan" in by_title["Open at least a Track 1.5 or Track 2 channel with Taiwan"]
    assert "india" in by_title["Be more involved in promoting India's Indo-Pacific Oceans Initiative"]
    sections = {r["section"] for r in DATA["recommendations"]}
    for country in ["Australia", "South Korea", "The Philippines and Vietnam", "India", "Taiwan"]:
        assert any(section.endswith(country) for section in sections), country


@pytest.mark.django_db
def test_bundle_loads_everything():
    call_command("load_bundle", str(BUNDLE))
    assert Recommendation.objects.count() == len(DATA["recommendations"])
    assert Partner.objects.count() == len(DATA["partners"])
    assert Theme.objects.count() == len(DATA["themes"])
    assert Source.objects.count() == 1
    assert Partner.objects.get(slug="quad").members.count() == 4
    for recommendation in Recommendation.objects.all():
        assert recommendation.partners.exists()
        assert recommendation.status == Status.PROPOSED
        assert recommendation.status_updates.count() == 1
    fixed = DATA["recommendations"][0]
    assert str(Recommendation.objects.get(reference=fixed["reference"]).uuid) == fixed["id"]


@pytest.mark.django_db
def test_loading_again_duplicates_and_overwrites_nothing(policy_user):
    bundle_load(data=bundle_read(BUNDLE))
    edited = Recommendation.objects.get(reference="TOK23-01")
    recommendation_update(
        recommendation=edited,
        actor=policy_user,
        data={"title_en": "Edited by the policy team", "title_ja": "政策チームによる修正"},
    )
    counts = (Recommendation.objects.count(), StatusUpdate.objects.count(), ChangeEvent.objects.count())

    result = bundle_load(data=bundle_read(BUNDLE))

    assert sum(result.created.values()) == 0 and sum(result.completed.values()) == 0
    assert (Recommendation.objects.count(), StatusUpdate.objects.count(), ChangeEvent.objects.count()) == counts
    edited.refresh_from_db()
    assert (edited.title_en, edited.title_ja) == ("Edited by the policy team", "政策チームによる修正")


def english_only(data: dict) -> dict:
    """The bundle as format 1 had it: one language, English, in the plain fields."""
    old = json.loads(json.dumps(data))
    old["format"] = "policy-tracker-bundle/1"
    for kind in ("themes", "partners", "sources", "recommendations"):
        for item in old[kind]:
            for key in [key for key in item if key.endswith("_ja")]:
                del item[key]
            for key in [key for key in item if key.endswith("_en")]:
                item[key[:-3]] = item.pop(key)
    return old


@pytest.mark.django_db
def test_the_bilingual_bundle_fills_in_japanese_without_touching_what_users_changed(policy_user):
    bundle_load(data=english_only(DATA))
    guidelines = Recommendation.objects.get(reference="TOK23-07")
    assert guidelines.title_ja == "" and guidelines.title_en
    edited = Recommendation.objects.get(reference="TOK23-01")
    recommendation_update(
        recommendation=edited, actor=policy_user, data={"title_en": "Ours", "title_ja": "政策チームの件名"}
    )
    korea = Partner.objects.get(slug="south-korea")
    version = guidelines.version

    result = bundle_load(data=DATA)

    assert sum(result.created.values()) == 0
    assert result.completed == {
        "themes": len(DATA["themes"]),
        "partners": len(DATA["partners"]),
        "sources": 1,
        "recommendations": 32,
    }
    guidelines.refresh_from_db()
    assert "日米防衛協力のための指針" in guidelines.title_ja and guidelines.version > version
    assert guidelines.title_en == next(r for r in DATA["recommendations"] if r["reference"] == "TOK23-07")["title_en"]
    edited.refresh_from_db()
    assert (edited.title_en, edited.title_ja) == ("Ours", "政策チームの件名")  # but its description got Japanese
    assert JAPANESE.search(edited.description_ja)
    korea.refresh_from_db()
    assert korea.name_ja == "大韓民国"
    assert ChangeEvent.objects.filter(object_type="recommendation", object_id=guidelines.uuid).latest("seq").changes
    assert sum(bundle_load(data=DATA).completed.values()) == 0  # and again: nothing left to fill in


@pytest.mark.django_db
def test_a_broken_bundle_loads_nothing(tmp_path):
    data = json.loads(BUNDLE.read_text(encoding="utf-8"))
    data["recommendations"][-1]["partners"] = [{"slug": "atlantis", "role": ""}]
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(Exception, match="nothing loaded"):
        call_command("load_bundle", str(path))
    assert not Recommendation.objects.exists() and not Partner.objects.exists()


@pytest.mark.django_db
def test_agencies_the_text_implies_are_marked_as_added_by_the_tracker():
    bundle_load(data=DATA)
    added = set(Partner.objects.filter(added_by_tracker=True).values_list("slug", flat=True))
    assert added == {"mofa", "mod"}
    assert set(Partner.objects.filter(kind="agency").values_list("slug", flat=True)) >= {
        "mofa",
        "mod",
        "japan-coast-guard",
        "jsdf",
    }
    for item in DATA["partners"]:
        if item.get("added_by_tracker"):
            assert "not named by the commentary" in item["description_en"]
            assert item["slug"] not in {p["slug"] for r in DATA["recommendations"] for p in r["partners"]}
    assert not Recommendation.objects.exclude(response="no_response").exists()  # the text states no response


@pytest.mark.django_db
def test_a_bundle_may_give_response_agency_and_review_date():
    data = json.loads(json.dumps(DATA))
    item = data["recommendations"][10]
    item.update(response="accepted", response_date="2026-10-01", agency="japan-coast-guard", review_date="2027-01-15")
    bundle_load(data=data)
    loaded = Recommendation.objects.get(reference=item["reference"])
    assert (loaded.response, str(loaded.response_date)) == ("accepted", "2026-10-01")
    assert (loaded.agency.slug, str(loaded.review_date)) == ("japan-coast-guard", "2027-01-15")
    assert loaded.response_updates.get().to_response == "accepted"  # through the service, with its entry
    untouched = Recommendation.objects.exclude(pk=loaded.pk)
    assert not untouched.exclude(response="no_response").exists() and not untouched.exclude(agency=None).exists()
