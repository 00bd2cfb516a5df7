"""Who may do what with recommendations beyond plain model permissions: each rule stated once, for every entry point."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

#: Recording a status change adds a timeline entry and changes the recommendation.
RECORD_STATUS_PERMISSIONS = ("recommendations.add_statusupdate", "recommendations.change_recommendation")


#: Recording a response adds a response entry and changes the recommendation (and, by the response rules, may change
#: its status: rejected is not adopted).
RECORD_RESPONSE_PERMISSIONS = ("recommendations.add_responseupdate", *RECORD_STATUS_PERMISSIONS)


def can_record_status(user: User | AnonymousUser) -> bool:
    """Whether the user may record status changes: on the web page, in the admin and through the API alike."""
    return bool(user.is_authenticated and user.has_perms(RECORD_STATUS_PERMISSIONS))


#: Recording an independent assessment: the Assessors' permission (the policy team, who report, do not have it).
ASSESS_PERMISSIONS = ("recommendations.add_assessment",)


def can_assess(user: User | AnonymousUser) -> bool:
    """Whether the user may record independent assessments: on the web page and through the API alike."""
    return bool(user.is_authenticated and user.has_perms(ASSESS_PERMISSIONS))


def can_record_response(user: User | AnonymousUser) -> bool:
    """Whether the user may record the addressee's response: on the web page and through the API alike."""
    return bool(user.is_authenticated and user.has_perms(RECORD_RESPONSE_PERMISSIONS))


#: Recording progress with one partner adds a per-partner timeline entry and changes the partner link's status.
RECORD_PARTNER_STATUS_PERMISSIONS = (
    "recommendations.add_partnerstatusupdate",
    "recommendations.change_recommendationpartner",
)


def can_record_partner_status(user: User | AnonymousUser) -> bool:
    """Whether the user may record progress with a partner: on the web page, in the admin and through the API."""
    return bool(user.is_authenticated and user.has_perms(RECORD_PARTNER_STATUS_PERMISSIONS))


#: Adding evidence (a link or a file) to a recommendation: the policy team and assessors.
ADD_EVIDENCE_PERMISSIONS = ("recommendations.add_evidence",)
#: Verifying evidence someone else added: the policy team and assessors.
VERIFY_EVIDENCE_PERMISSIONS = ("recommendations.change_evidence",)


def can_add_evidence(user: User | AnonymousUser) -> bool:
    """Whether the user may add evidence: on the web page and through the API alike."""
    return bool(user.is_authenticated and user.has_perms(ADD_EVIDENCE_PERMISSIONS))


def can_verify_evidence(user: User | AnonymousUser) -> bool:
    """Whether the user may verify evidence (never their own: the service refuses that)."""
    return bool(user.is_authenticated and user.has_perms(VERIFY_EVIDENCE_PERMISSIONS))
