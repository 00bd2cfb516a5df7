"""Choices of recommendations: statuses, responses, priorities, partner roles, source kinds and link types."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    """Implementation status of a recommendation."""

    PROPOSED = "proposed", _("Proposed")
    UNDER_REVIEW = "under_review", _("Under review")
    IN_PROGRESS = "in_progress", _("In progress")
    PARTIALLY_IMPLEMENTED = "partially_implemented", _("Partially implemented")
    IMPLEMENTED = "implemented", _("Implemented")
    STALLED = "stalled", _("Stalled")
    NOT_ADOPTED = "not_adopted", _("Not adopted")


#: Statuses that end the work on a recommendation; leaving one of them (reopening) needs a note saying why.
CLOSED_STATUSES = frozenset({Status.IMPLEMENTED, Status.NOT_ADOPTED})


def label(choices: type[models.TextChoices], value: str) -> str:
    """The label of ``value`` among ``choices`` in the active language ("" for an empty value; the value itself if it is
    not a choice): what ``get_FOO_display()`` gives, without rebuilding the choices' dictionary at every call (which
    a feed written in bulk does thousands of times)."""
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


#: An open recommendation not updated for this many days needs attention (with the overdue and the stalled ones).
ATTENTION_STALE_DAYS = 90

#: Each status's colour, stated once: the Okabe–Ito palette (distinguishable with the common colour-vision
#: deficiencies) plus grey. The pages read it as CSS custom properties ``--s-<status>`` (registered in ``apps.py``),
#: the admin's badges directly; the colour is a dot or a bar beside the text, never the text's background.
STATUS_COLOURS: dict[str, str] = {
    Status.PROPOSED: "#b3bac5",
    Status.UNDER_REVIEW: "#56b4e9",
    Status.IN_PROGRESS: "#0072b2",
    Status.PARTIALLY_IMPLEMENTED: "#f0e442",
    Status.IMPLEMENTED: "#009e73",
    Status.STALLED: "#d55e00",
    Status.NOT_ADOPTED: "#cc79a7",
}


class Response(models.TextChoices):
    """The addressee's response to a recommendation: whether it is taken up, separate from how far it has come."""

    NO_RESPONSE = "no_response", _("No response yet")
    ACCEPTED = "accepted", _("Accepted")
    ACCEPTED_IN_PART = "accepted_in_part", _("Accepted in part")
    ACCEPTED_IN_PRINCIPLE = "accepted_in_principle", _("Accepted in principle")
    NOTED = "noted", _("Noted")
    REJECTED = "rejected", _("Rejected")


#: The one response that ends a recommendation: a rejected recommendation is "not adopted", and a recommendation is
#: "not adopted" only when it is rejected (recommendations.services.response states and enforces the rule).
REJECTED_STATUS = Status.NOT_ADOPTED


class Rating(models.TextChoices):
    """An independent assessor's rating of how far a recommendation's implementation has come."""

    NOT_STARTED = "not_started", _("Not started")
    LIMITED = "limited", _("Limited progress")
    SUBSTANTIAL = "substantial", _("Substantial progress")
    COMPLETE = "complete", _("Complete")


#: The ratings that agree with each self-reported status; an assessment outside them disagrees with the report
#: (the rule the page, the list's filter, the report and the API all read from here).
AGREEING_RATINGS: dict[str, frozenset[str]] = {
    Status.PROPOSED: frozenset({Rating.NOT_STARTED, Rating.LIMITED}),
    Status.UNDER_REVIEW: frozenset({Rating.NOT_STARTED, Rating.LIMITED}),
    Status.IN_PROGRESS: frozenset({Rating.LIMITED, Rating.SUBSTANTIAL}),
    Status.PARTIALLY_IMPLEMENTED: frozenset({Rating.LIMITED, Rating.SUBSTANTIAL}),
    Status.IMPLEMENTED: frozenset({Rating.COMPLETE}),
    Status.STALLED: frozenset({Rating.NOT_STARTED, Rating.LIMITED, Rating.SUBSTANTIAL}),
    Status.NOT_ADOPTED: frozenset({Rating.NOT_STARTED}),
}


def assessment_disagrees(status: str, rating: str) -> bool:
    """Whether an assessment's rating disagrees with the self-reported status (no assessment never disagrees)."""
    return bool(rating) and rating not in AGREEING_RATINGS.get(status, frozenset())


def partners_overall_status(statuses: list[str]) -> str:
    """What the partners' own statuses add up to (blank when no partner has one): the rule the page states.

    Partners without a status of their own are left out. If every partner is at the same status, that status.
    Partners with whom the recommendation is not adopted are left out unless it is not adopted with all of them.
    Otherwise: implemented with every remaining partner is "implemented"; implemented or partially implemented with
    some is "partially implemented"; failing that, work in progress with any is "in progress"; stalled with any is
    "stalled"; and otherwise the most advanced of "under review" and "proposed".
    """
    recorded = [status for status in statuses if status]
    if not recorded:
        return ""
    if len(set(recorded)) == 1:
        return recorded[0]
    pursued = [status for status in recorded if status != Status.NOT_ADOPTED]
    if all(status == Status.IMPLEMENTED for status in pursued):
        return Status.IMPLEMENTED
    if any(status in {Status.IMPLEMENTED, Status.PARTIALLY_IMPLEMENTED} for status in pursued):
        return Status.PARTIALLY_IMPLEMENTED
    for status in (Status.IN_PROGRESS, Status.STALLED, Status.UNDER_REVIEW):
        if status in pursued:
            return status
    return Status.PROPOSED


class Priority(models.TextChoices):
    """How urgent a recommendation is, as the source or the policy team judges it."""

    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


#: Sort rank of each priority, high first.
PRIORITY_RANK = {Priority.HIGH: 1, Priority.MEDIUM: 2, Priority.LOW: 3}


class PartnerRole(models.TextChoices):
    """The part a partner plays in a recommendation; blank where the text assigns none."""

    LEAD = "lead", _("Lead")
    COUNTERPART = "counterpart", _("Counterpart")
    ADDRESSEE = "addressee", _("Addressee")


#: Roles without a status of their own on a recommendation: the addressee (Japan) is the one who acts, and its
#: progress is the recommendation's own status. Progress per partner is recorded for the other roles.
UNTRACKED_PARTNER_ROLES = frozenset({PartnerRole.ADDRESSEE})


def tracks_progress(role: str) -> bool:
    """Whether progress with a partner in ``role`` is recorded per partner (every role but the addressee)."""
    return role not in UNTRACKED_PARTNER_ROLES


class SourceKind(models.TextChoices):
    """The sort of document a recommendation comes from."""

    COMMENTARY = "commentary", _("Commentary")
    REPORT = "report", pgettext_lazy("source kind", "Report")
    STRATEGY = "strategy", _("Strategy document")
    REVIEW = "review", pgettext_lazy("source kind", "Review")
    STATEMENT = "statement", _("Joint statement")
    OTHER = "other", pgettext_lazy("source kind", "Other")


class LinkType(models.TextChoices):
    """How one recommendation relates to another; each type reads differently from the other end."""

    RELATED = "related", _("related to")
    DEPENDS_ON = "depends_on", _("depends on")
    SUPERSEDES = "supersedes", _("supersedes")
    DUPLICATES = "duplicates", _("duplicates")


#: How a link reads from its target's side: "A supersedes B" shows on B as "superseded by A".
LINK_INVERSE_LABELS = {
    LinkType.RELATED: _("related to"),
    LinkType.DEPENDS_ON: _("is a prerequisite of"),
    LinkType.SUPERSEDES: _("superseded by"),
    LinkType.DUPLICATES: _("duplicated by"),
}


class SavedViewPage(models.TextChoices):
    """Which page a saved view filters."""

    LIST = "list", _("Recommendation list")
    REPORT = "report", _("Progress report")


class SharedWith(models.TextChoices):
    """Who sees a saved view besides its owner."""

    NOBODY = "", _("Only me")
    EVERYONE = "everyone", _("Everyone")
    POLICY_TEAM = "policy_team", _("Policy team")
    MANAGERS = "managers", _("Managers")
    ASSESSORS = "assessors", _("Assessors")


class TallyKind(models.TextChoices):
    """What a kept count of the progress report counts (``recommendations.tallies``)."""

    OVERALL = "overall", _("Status, response and assessment")
    DUE = "due", _("Open, by target date")
    IDLE = "idle", _("Open, by day of the last update")
    PARTNER = "partner", _("Partner and status there")
    THEME = "theme", _("Theme and status")
    DAY = "day", _("Status changes by day")
    STANDING = "standing", _("Status held at the end of a day, by day it changed")
