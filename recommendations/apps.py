from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommendationsConfig(AppConfig):
    """Recommendations, their sources and themes, their status timeline and the links between them."""

    name = "recommendations"
    verbose_name = _("Recommendations")

    def ready(self) -> None:
        from datetime import timedelta

        from django.db.models import Q

        from core.changes import register_write_finisher
        from core.feed import register_dependents, register_feed_type
        from core.jobs import register_periodic
        from partners.models import Partner

        from .api.representation import represent_recommendations
        from .api.serializers import (
            AssessmentSerializer,
            EvidenceSerializer,
            MilestoneSerializer,
            PartnerStatusSerializer,
            PartnerStatusUpdateSerializer,
            RecommendationSerializer,
            ResponseUpdateSerializer,
            SourceSerializer,
            StatusUpdateSerializer,
            ThemeSerializer,
        )
        from .models import (
            EVIDENCE_RELATED,
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
        from .tallies import tallies_follow_writes
        from .tasks import verify_report_tallies

        def represent_many(pks: list[int]) -> list[dict[str, object]]:
            rows = {
                rec.pk: rec
                for rec in Recommendation.objects.select_related("source", "lead", "agency").filter(pk__in=pks)
            }
            return represent_recommendations([rows[pk] for pk in pks if pk in rows], {"request": None})

        register_feed_type(
            Recommendation,
            object_type="recommendation",
            label=_("Recommendation"),
            serializer=RecommendationSerializer,
            load=lambda recommendation: Recommendation.objects.for_representation().get(pk=recommendation.pk),
            represent_many=represent_many,
        )
        register_feed_type(
            StatusUpdate, object_type="status_update", label=_("Status update"), serializer=StatusUpdateSerializer
        )
        register_feed_type(
            ResponseUpdate,
            object_type="response_update",
            label=_("Response update"),
            serializer=ResponseUpdateSerializer,
        )

        def partner_links(pks: list[int]) -> list[dict[str, object]]:
            rows = RecommendationPartner.objects.select_related("recommendation", "partner").in_bulk(pks)
            return list(
                PartnerStatusSerializer(
                    [rows[pk] for pk in pks if pk in rows], many=True, context={"request": None}
                ).data
            )

        register_feed_type(
            RecommendationPartner,
            object_type="partner_status",
            label=_("Partner status"),
            serializer=PartnerStatusSerializer,
            load=lambda link: RecommendationPartner.objects.select_related("recommendation", "partner").get(pk=link.pk),
            represent_many=partner_links,
        )
        register_feed_type(
            PartnerStatusUpdate,
            object_type="partner_status_update",
            label=_("Partner status update"),
            serializer=PartnerStatusUpdateSerializer,
        )
        register_feed_type(Theme, object_type="theme", label=_("Theme"), serializer=ThemeSerializer)
        register_feed_type(Milestone, object_type="milestone", label=_("Milestone"), serializer=MilestoneSerializer)
        register_feed_type(Assessment, object_type="assessment", label=_("Assessment"), serializer=AssessmentSerializer)
        register_feed_type(
            Evidence,
            object_type="evidence",
            label=_("Evidence"),
            serializer=EvidenceSerializer,
            load=lambda evidence: Evidence.objects.select_related(*EVIDENCE_RELATED).get(pk=evidence.pk),
        )
        register_feed_type(Source, object_type="source", label=_("Source"), serializer=SourceSerializer)

        # What a recommendation's representation shows of other objects (RecommendationSerializer): when that
        # changes, the recommendation gets a new version and a change-feed entry too.
        register_dependents(
            Partner,
            fields={"slug", "name"},
            find=lambda p: Recommendation.objects.filter(Q(partner_links__partner=p) | Q(agency=p)),
        )
        register_dependents(Theme, fields={"slug", "name"}, find=lambda t: Recommendation.objects.filter(themes=t))
        register_dependents(Source, fields={"slug", "title"}, find=lambda s: Recommendation.objects.filter(source=s))
        register_dependents(
            Recommendation,
            fields={"reference"},
            find=lambda r: Recommendation.objects.filter(
                Q(links_out__to_recommendation=r) | Q(links_in__from_recommendation=r)
            ),
        )

        from core.styles import register_css_properties

        from .choices import STATUS_COLOURS

        register_css_properties({f"--s-{status}": colour for status, colour in STATUS_COLOURS.items()})

        # The report's tallies follow every write, in its transaction; a daily check repairs what bypassed the services.
        register_write_finisher(tallies_follow_writes)
        register_periodic(
            "verify-report-tallies",
            every=timedelta(days=1),
            task=verify_report_tallies,
            description=_(
                "Checks the progress report's kept counts against a full recount and rebuilds them if they differ."
            ),
        )
