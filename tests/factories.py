"""factory_boy factories for every model. They write rows directly (test set-up), not through the services."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from core.choices import ChangeAction
from core.models import ChangeEvent
from core.roles import ASSESSORS, MANAGERS, POLICY_TEAM
from core.translation import translated_data
from partners.choices import PartnerKind
from partners.models import Partner
from recommendations.choices import PartnerRole, Priority, SourceKind, Status
from recommendations.models import (
    Recommendation,
    RecommendationLink,
    RecommendationPartner,
    SavedView,
    Source,
    StatusUpdate,
    Theme,
)

#: The password of every user the factory makes.
PASSWORD = "correct horse battery staple"


class TranslatedModelFactory(factory.django.DjangoModelFactory):
    """A factory of a model with translated fields: ``title="…"`` is the English title, as in the services;
    ``title_ja="…"`` gives the Japanese one."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return super()._create(model_class, *args, **translated_data(model_class, kwargs))


class UserFactory(factory.django.DjangoModelFactory):
    """A user without a role; see the traits for the roles."""

    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    is_staff = True
    password = PASSWORD

    class Params:
        policy = factory.Trait(role=POLICY_TEAM)
        manager = factory.Trait(role=MANAGERS)
        assessor = factory.Trait(role=ASSESSORS)
        admin = factory.Trait(is_superuser=True)

    role = None

    @classmethod
    def _create(cls, model_class, *args, role=None, **kwargs):
        user = model_class._default_manager.create_user(*args, **kwargs)
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user


class PartnerFactory(TranslatedModelFactory):
    """A country partner."""

    class Meta:
        model = Partner
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Country {n}")
    slug = factory.Sequence(lambda n: f"country-{n}")
    kind = PartnerKind.COUNTRY


class ThemeFactory(TranslatedModelFactory):
    """A theme."""

    class Meta:
        model = Theme
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


class SourceFactory(TranslatedModelFactory):
    """A report."""

    class Meta:
        model = Source
        django_get_or_create = ["slug"]

    title = factory.Sequence(lambda n: f"Report {n}")
    slug = factory.Sequence(lambda n: f"report-{n}")
    kind = SourceKind.REPORT


class RecommendationFactory(TranslatedModelFactory):
    """A proposed recommendation; pass partners=[...] and themes=[...] to link them."""

    class Meta:
        model = Recommendation
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"REC-{n:04d}")
    title = factory.Sequence(lambda n: f"Recommendation {n}")
    description = "Do the thing, in full."
    source_excerpt = "The thing should be done."
    source = factory.SubFactory(SourceFactory)
    section = "Part 2: cooperation"
    status = Status.PROPOSED
    priority = Priority.MEDIUM

    @factory.post_generation
    def partners(self, create, extracted, **kwargs):
        for partner in extracted or []:
            RecommendationPartner.objects.create(recommendation=self, partner=partner, role=PartnerRole.COUNTERPART)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if extracted:
            self.themes.set(extracted)


class RecommendationPartnerFactory(factory.django.DjangoModelFactory):
    """A partner link."""

    class Meta:
        model = RecommendationPartner

    recommendation = factory.SubFactory(RecommendationFactory)
    partner = factory.SubFactory(PartnerFactory)
    role = PartnerRole.COUNTERPART


class StatusUpdateFactory(factory.django.DjangoModelFactory):
    """A timeline entry (the recommendation's status is not changed: use the services for that)."""

    class Meta:
        model = StatusUpdate

    recommendation = factory.SubFactory(RecommendationFactory)
    from_status = Status.PROPOSED
    to_status = Status.UNDER_REVIEW
    note = "Discussed at the working level."
    created_at = factory.LazyFunction(timezone.now)


class RecommendationLinkFactory(factory.django.DjangoModelFactory):
    """A link between two recommendations."""

    class Meta:
        model = RecommendationLink

    from_recommendation = factory.SubFactory(RecommendationFactory)
    to_recommendation = factory.SubFactory(RecommendationFactory)
    link_type = "related"


class ChangeEventFactory(factory.django.DjangoModelFactory):
    """A change-feed entry."""

    class Meta:
        model = ChangeEvent

    action = ChangeAction.UPDATED
    object_type = "theme"
    object_id = factory.Faker("uuid4", cast_to=None)
    object_repr = "Maritime cooperation"
    data = factory.LazyFunction(dict)


class SavedViewFactory(TranslatedModelFactory):
    """A personal saved view of the list (pass owner=...)."""

    class Meta:
        model = SavedView

    name = factory.Sequence(lambda n: f"View {n}")
    page = "list"
    query = "status=stalled"
    shared_with = ""


class WatchFactory(factory.django.DjangoModelFactory):
    """A watch (pass user= and one of recommendation=, partner=, source=, saved_view=)."""

    class Meta:
        model = "notifications.Watch"


class NotificationFactory(factory.django.DjangoModelFactory):
    """A notification of a status change (pass user= and recommendation=)."""

    class Meta:
        model = "notifications.Notification"

    kind = "status"
    params = factory.LazyAttribute(
        lambda n: {"actor": "someone", "reference": n.recommendation.reference, "status": "in_progress"}
    )
