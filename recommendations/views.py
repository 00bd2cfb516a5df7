"""Web pages of recommendations: the list and one recommendation, where the policy team records status changes.

Every write goes through ``services.recommendation_change_status``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.changes import VersionConflict
from core.feed import feed_type_for
from core.limits import accepts_uploads
from core.models import ChangeEvent
from core.paging import LateRowsPaginator
from core.querystrings import query_string, redirect_without_empty
from core.translation import column, fallback_order, value_in
from core.views import page

from .choices import (
    Rating,
    Response,
    SavedViewPage,
    Status,
    assessment_disagrees,
    partners_overall_status,
    tracks_progress,
)
from .evidence import evidence_body_limit, evidence_file_response
from .filtersets import FILTER_PARAMS
from .forms import (
    AsOfForm,
    AssessmentForm,
    EvidenceForm,
    EvidenceVerifyForm,
    PartnerStatusForm,
    ResponseForm,
    SavedViewEditForm,
    SaveViewForm,
    StatusChangeForm,
)
from .listing import as_of_status_keys, asks_as_of, filter_chips, page_filterset, saved_views_context, sort_columns
from .models import (
    EVIDENCE_RELATED,
    Assessment,
    Evidence,
    Milestone,
    PartnerStatusUpdate,
    Recommendation,
    ResponseUpdate,
    SavedView,
    StatusUpdate,
)
from .permissions import (
    can_add_evidence,
    can_assess,
    can_record_partner_status,
    can_record_response,
    can_record_status,
    can_verify_evidence,
)
from .selectors import recommendation_links, saved_views_for, similar_recommendations, with_latest_note
from .services import (
    evidence_add,
    evidence_verify,
    milestone_progress,
    recommendation_assess,
    recommendation_change_status,
    recommendation_partner_record_status,
    recommendation_record_response,
    saved_view_create,
    saved_view_delete,
    saved_view_update,
)
from .services.saved_views import can_edit_saved_view, shares_allowed
from .templatetags.recommendation_tags import owner_change_rows

#: Rows per page of the recommendation list.
PAGE_SIZE = 25
#: Permission to read the pages of recommendations.
VIEW = "recommendations.view_recommendation"


@page(VIEW)
def recommendation_list(request: HttpRequest) -> HttpResponse:
    """The filtered, sorted, paginated table of recommendations."""
    if cleaned := redirect_without_empty(request):
        return cleaned
    as_of_form = AsOfForm(request.GET)
    as_of = as_of_form.day()
    # As of a day, the list as it stood then: what existed, at its status then (the status filter reads that status).
    filterset = page_filterset(request, with_latest_note(Recommendation.objects.with_related()), as_of=as_of)
    valid = filterset.is_valid() and as_of_form.is_valid()
    page_ = None
    if valid:
        keys = as_of_status_keys(filterset, as_of)  # sorted by the status then: the kept spans order the keys
        page_ = LateRowsPaginator(filterset.qs, PAGE_SIZE, keys=keys).get_page(request.GET.get("page"))
    query = query_string(request.GET)
    context = {
        "filterset": filterset,
        "form": filterset.form,
        "as_of_form": as_of_form,
        "as_of": as_of,
        "today_url": reverse("recommendations:list") + query_string(request.GET, as_of=None),
        "valid": valid,
        "page": page_,
        "chips": filter_chips(request.GET, filterset),
        "columns": sort_columns(request.GET),
        "exports": {
            "csv": reverse("transfer:export_csv") + query,
            "xlsx": reverse("transfer:export_xlsx") + query,
        },
        # The import's rule (add and change): who may import may take the list in the import's columns, of today's
        # data only (not offered as of a past day: imported back, past statuses would overwrite today's).
        "editable_exports": (
            {fmt: reverse("transfer:export_editable", args=[fmt]) + query for fmt in ("csv", "xlsx")}
            if request.user.has_perms(("recommendations.add_recommendation", "recommendations.change_recommendation"))
            and not asks_as_of(request.GET)
            else {}
        ),
        "report_url": reverse("reports:progress") + query_string(request.GET, ordering=None),
        "ordering": request.GET.get("ordering", ""),
        "open_groups": {key for key in FILTER_PARAMS if request.GET.getlist(key)},
        **saved_views_context(request, SavedViewPage.LIST),
    }
    return render(request, "recommendations/recommendation_list.html", context, status=200 if valid else 400)


def _render_detail(
    request: HttpRequest,
    recommendation: Recommendation,
    form: StatusChangeForm | None,
    *,
    response_form: ResponseForm | None = None,
    assessment_form: AssessmentForm | None = None,
    partner_form: PartnerStatusForm | None = None,
    evidence_form: EvidenceForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The recommendation page, with the status and response forms (bound or fresh) for those who may record them."""
    timeline = recommendation.status_updates.select_related("author").order_by("-created_at", "-id")
    if response_form is None and can_record_response(request.user):
        response_form = ResponseForm(recommendation=recommendation)
    history = ChangeEvent.objects.filter(
        object_type=feed_type_for(Recommendation).object_type, object_id=recommendation.uuid
    ).order_by("-seq")
    history_events = list(history)
    milestones = list(Milestone.objects.filter(recommendation=recommendation).order_by("position", "due_date", "id"))
    # Changes of owner go on the timeline beside the status changes (from the change feed, which records them).
    owner_changes: list[dict[str, Any]] = [
        {"kind": "owner", "created_at": event.created_at, "event": event, "rows": rows}
        for event in history_events
        if (rows := owner_change_rows(event.changes))
    ]
    status_entries: list[dict[str, Any]] = [
        {"kind": "status", "created_at": entry.created_at, "entry": entry} for entry in timeline
    ]
    partner_entries = list(
        recommendation.partner_status_updates.select_related("partner", "author").order_by("-created_at", "-id")
    )
    partner_links = list(recommendation.partner_links.all())
    tracked_links = [link for link in partner_links if tracks_progress(link.role)]
    latest_by_partner: dict[int, Any] = {}
    for entry in partner_entries:
        latest_by_partner.setdefault(entry.partner_id, entry)
    partners_status = partners_overall_status([link.status for link in tracked_links])
    responses = list(recommendation.response_updates.select_related("author").order_by("-created_at", "-id"))
    assessments = list(
        Assessment.objects.filter(recommendation=recommendation)
        .select_related("assessor")
        .order_by("-created_at", "-id")
    )
    if evidence_form is None and can_add_evidence(request.user):
        entries = evidence_entries(list(timeline), responses, partner_entries, assessments)
        evidence_form = EvidenceForm(recommendation=recommendation, entries=entries)
    context = {
        "recommendation": recommendation,
        "timeline": sorted(
            [
                *status_entries,
                *owner_changes,
                *({"kind": "partner", "created_at": entry.created_at, "entry": entry} for entry in partner_entries),
            ],
            key=lambda item: item["created_at"],
            reverse=True,
        ),
        "partner_rows": [
            (link, latest_by_partner.get(link.partner_id), tracks_progress(link.role)) for link in partner_links
        ],
        "partners_status": partners_status,
        "partners_recorded": sum(1 for link in partner_links if link.status),
        "partners_tracked": len(tracked_links),
        "partners_differ": bool(partners_status) and partners_status != recommendation.status,
        "partner_form": partner_form
        if partner_form is not None
        else (
            PartnerStatusForm(recommendation=recommendation)
            if tracked_links and can_record_partner_status(request.user)
            else None
        ),
        "history": history_events,
        "links": recommendation_links(recommendation=recommendation),
        "similar": similar_recommendations(recommendation=recommendation),
        "form": form,
        "can_record": form is not None,
        "responses": responses,
        "evidence": list(
            Evidence.objects.filter(recommendation=recommendation)
            .select_related(*EVIDENCE_RELATED, "partner_status_update__partner")
            .order_by("-created_at", "-id")
        ),
        "evidence_form": evidence_form,
        "can_verify_evidence": can_verify_evidence(request.user),
        "milestones": milestones,
        "assessment": assessments[0] if assessments else None,
        "assessment_disagrees": assessment_disagrees(recommendation.status, recommendation.assessment),
        "assessment_form": assessment_form
        if assessment_form is not None
        else (AssessmentForm(recommendation=recommendation) if can_assess(request.user) else None),
        "milestones_done": milestone_progress(milestones)[0],
        "response_form": response_form,
    }
    return render(request, "recommendations/recommendation_detail.html", context, status=status)


@page(VIEW)
def my_recommendations(request: HttpRequest) -> HttpResponse:
    """The recommendations the signed-in user is the responsible lead of: the list, filtered by them (its address
    says so, and can be shared as any other view of the list)."""
    return redirect(reverse("recommendations:list") + query_string(QueryDict(), lead=request.user.get_username()))


@page(VIEW)
def recommendation_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    """A recommendation in full, with its timeline and change history, and the status form for the policy team."""
    recommendation = get_object_or_404(Recommendation.objects.with_related(), uuid=uuid)
    form = StatusChangeForm(recommendation=recommendation) if can_record_status(request.user) else None
    return _render_detail(request, recommendation, form)


@page(None, methods=("GET", "POST"))
def recommendation_status(request: HttpRequest, uuid: str) -> HttpResponse:
    """Record a status change through the service, refusing it if the page was opened at an older version."""
    recommendation = get_object_or_404(Recommendation, uuid=uuid)
    detail_url = reverse("recommendations:detail", args=[recommendation.uuid])
    if not can_record_status(request.user):
        raise PermissionDenied(_("Only the policy team records status changes."))
    if request.method == "GET":
        return redirect(detail_url)
    form = StatusChangeForm(request.POST, recommendation=recommendation)
    if form.is_valid():
        try:
            recommendation_change_status(
                recommendation=recommendation,
                actor=request.user,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                evidence_url=form.cleaned_data["evidence_url"],
                expected_version=form.cleaned_data["version"],
            )
        except VersionConflict as conflict:
            return _conflict(request, recommendation, conflict)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Status changed to “%(status)s”. The change is on the timeline.")
                % {"status": Status(form.cleaned_data["status"]).label},
            )
            return redirect(f"{detail_url}#timeline")
    fresh = get_object_or_404(Recommendation.objects.with_related(), pk=recommendation.pk)
    return _render_detail(request, fresh, form, status=400)


@page(None, methods=("GET", "POST"))
def recommendation_response(request: HttpRequest, uuid: str) -> HttpResponse:
    """Record the addressee's response through the service (the status follows the response rules)."""
    recommendation = get_object_or_404(Recommendation, uuid=uuid)
    detail_url = reverse("recommendations:detail", args=[recommendation.uuid])
    if not can_record_response(request.user):
        raise PermissionDenied(_("Only the policy team records responses."))
    if request.method == "GET":
        return redirect(detail_url)
    form = ResponseForm(request.POST, recommendation=recommendation)
    if form.is_valid():
        try:
            recommendation_record_response(
                recommendation=recommendation,
                actor=request.user,
                response=form.cleaned_data["response"],
                responded_on=form.cleaned_data["responded_on"],
                note=form.cleaned_data["note"],
                evidence_url=form.cleaned_data["evidence_url"],
                expected_version=form.cleaned_data["version"],
            )
        except VersionConflict as conflict:
            fresh = get_object_or_404(Recommendation.objects.with_related(), pk=recommendation.pk)
            data = request.POST.copy()
            data[f"{ResponseForm.prefix}-version"] = str(fresh.version)
            form = ResponseForm(data, recommendation=fresh)
            form.is_valid()
            form.add_error(None, _conflict_message(conflict.current_version or fresh.version))
            return _render_detail(request, fresh, _status_form(request, fresh), response_form=form, status=409)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Response recorded: “%(response)s”.") % {"response": Response(form.cleaned_data["response"]).label},
            )
            return redirect(f"{detail_url}#response")
    fresh = get_object_or_404(Recommendation.objects.with_related(), pk=recommendation.pk)
    return _render_detail(request, fresh, _status_form(request, fresh), response_form=form, status=400)


@page(None, methods=("GET", "POST"))
def recommendation_partner_status(request: HttpRequest, uuid: str) -> HttpResponse:
    """Record progress with one partner through the service (the policy team)."""
    recommendation = get_object_or_404(Recommendation.objects.with_related(), uuid=uuid)
    detail_url = reverse("recommendations:detail", args=[recommendation.uuid])
    if not can_record_partner_status(request.user):
        raise PermissionDenied(_("Only the policy team records progress with partners."))
    if request.method == "GET":
        return redirect(detail_url)
    form = PartnerStatusForm(request.POST, recommendation=recommendation)
    status = 400
    if form.is_valid():
        link = form.links[form.cleaned_data["partner"]]
        try:
            recommendation_partner_record_status(
                link=link,
                actor=request.user,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                evidence_url=form.cleaned_data["evidence_url"],
                expected_recommendation_version=form.cleaned_data["version"],
            )
        except VersionConflict as conflict:
            form.add_error(None, _conflict_message(conflict.current_version or recommendation.version))
            status = 409
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Progress with %(partner)s recorded: “%(status)s”.")
                % {"partner": value_in(link.partner, "name")[0], "status": Status(form.cleaned_data["status"]).label},
            )
            return redirect(f"{detail_url}#partners")
    fresh = get_object_or_404(Recommendation.objects.with_related(), pk=recommendation.pk)
    return _render_detail(request, fresh, _status_form(request, fresh), partner_form=form, status=status)


def evidence_entries(
    timeline: list[StatusUpdate],
    responses: list[ResponseUpdate],
    partner_entries: list[PartnerStatusUpdate],
    assessments: list[Assessment],
) -> list[tuple[str, str, Any]]:
    """The entries evidence may support, newest first in each kind, as (choice value, label, entry)."""

    def when(entry: Any) -> str:
        return date_format(timezone.localtime(entry.created_at), "SHORT_DATE_FORMAT")

    choices: list[tuple[str, str, Any]] = []
    for entry in timeline:
        label = _("Status change of %(date)s: %(status)s") % {
            "date": when(entry),
            "status": entry.get_to_status_display(),
        }
        choices.append((f"status_update:{entry.uuid}", label, entry))
    for response in responses:
        label = _("Response of %(date)s: %(response)s") % {
            "date": when(response),
            "response": response.get_to_response_display(),
        }
        choices.append((f"response_update:{response.uuid}", label, response))
    for partner_entry in partner_entries:
        label = _("With %(partner)s, %(date)s: %(status)s") % {
            "partner": value_in(partner_entry.partner, "name")[0],
            "date": when(partner_entry),
            "status": partner_entry.get_to_status_display(),
        }
        choices.append((f"partner_status_update:{partner_entry.uuid}", label, partner_entry))
    for assessment in assessments:
        label = _("Assessment of %(date)s: %(rating)s") % {
            "date": when(assessment),
            "rating": assessment.get_rating_display(),
        }
        choices.append((f"assessment:{assessment.uuid}", label, assessment))
    return choices


@accepts_uploads(evidence_body_limit())
@page(None, methods=("GET", "POST"))
def recommendation_evidence(request: HttpRequest, uuid: str) -> HttpResponse:
    """Add evidence (a file or a link) through the service: the policy team and assessors."""
    recommendation = get_object_or_404(Recommendation.objects.with_related(), uuid=uuid)
    detail_url = reverse("recommendations:detail", args=[recommendation.uuid])
    if not can_add_evidence(request.user):
        raise PermissionDenied(_("Only the policy team and assessors add evidence."))
    if request.method == "GET":
        return redirect(detail_url)
    entries = evidence_entries(
        list(recommendation.status_updates.order_by("-created_at", "-id")),
        list(recommendation.response_updates.order_by("-created_at", "-id")),
        list(recommendation.partner_status_updates.select_related("partner").order_by("-created_at", "-id")),
        list(recommendation.assessments.order_by("-created_at", "-id")),
    )
    form = EvidenceForm(request.POST, request.FILES, recommendation=recommendation, entries=entries)
    if form.is_valid():
        title = form.cleaned_data["title"]
        try:
            evidence_add(
                recommendation=recommendation,
                actor=request.user,
                **{column("title", fallback_order()[0]): title},
                url=form.cleaned_data["link"],
                upload=form.cleaned_data["file"],
                evidence_date=form.cleaned_data["evidence_date"],
                publishable=form.cleaned_data["publishable"],
                attach_to=form.entries.get(form.cleaned_data["attach_to"]),
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("Evidence added: “%(title)s”.") % {"title": title})
            return redirect(f"{detail_url}#evidence")
    return _render_detail(
        request, recommendation, _status_form(request, recommendation), evidence_form=form, status=400
    )


@page(VIEW)
def evidence_download(request: HttpRequest, uuid: str) -> HttpResponseBase:
    """An evidence file, for those who may read its recommendation (never from a public address)."""
    evidence = get_object_or_404(Evidence, uuid=uuid)
    if not request.user.has_perm("recommendations.view_evidence"):
        raise PermissionDenied(_("You may not read evidence."))
    if not evidence.file:
        return redirect(evidence.url)
    return evidence_file_response(evidence)


@page(None, methods=("GET", "POST"))
def evidence_verify_view(request: HttpRequest, uuid: str) -> HttpResponse:
    """Record that the signed-in user checked a piece of evidence (someone other than who added it)."""
    evidence = get_object_or_404(Evidence.objects.select_related("recommendation"), uuid=uuid)
    detail_url = reverse("recommendations:detail", args=[evidence.recommendation.uuid])
    if not can_verify_evidence(request.user):
        raise PermissionDenied(_("Only the policy team and assessors verify evidence."))
    if request.method == "GET":
        return redirect(detail_url)
    form = EvidenceVerifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The page did not say which version of the evidence you checked: reload it."))
        return redirect(f"{detail_url}#evidence")
    try:
        evidence_verify(evidence=evidence, actor=request.user, expected_version=form.cleaned_data["version"])
    except VersionConflict:
        messages.error(request, _("This evidence was changed since you opened the page: check it again."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Evidence verified: “%(title)s”.") % {"title": value_in(evidence, "title")[0]})
    return redirect(f"{detail_url}#evidence")


@page(None, methods=("GET", "POST"))
def recommendation_assessment(request: HttpRequest, uuid: str) -> HttpResponse:
    """Record an independent assessment through the service (assessors only)."""
    recommendation = get_object_or_404(Recommendation, uuid=uuid)
    detail_url = reverse("recommendations:detail", args=[recommendation.uuid])
    if not can_assess(request.user):
        raise PermissionDenied(_("Only assessors record assessments."))
    if request.method == "GET":
        return redirect(detail_url)
    form = AssessmentForm(request.POST, recommendation=recommendation)
    status = 400
    if form.is_valid():
        try:
            recommendation_assess(
                recommendation=recommendation,
                actor=request.user,
                rating=form.cleaned_data["rating"],
                rationale=form.cleaned_data["rationale"],
                assessed_on=form.cleaned_data["assessed_on"],
                evidence_url=form.cleaned_data["evidence_url"],
                expected_version=form.cleaned_data["version"],
            )
        except VersionConflict as conflict:
            form.add_error(None, _conflict_message(conflict.current_version or recommendation.version))
            status = 409
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Assessment recorded: “%(rating)s”.") % {"rating": Rating(form.cleaned_data["rating"]).label},
            )
            return redirect(f"{detail_url}#assessment")
    fresh = get_object_or_404(Recommendation.objects.with_related(), pk=recommendation.pk)
    return _render_detail(request, fresh, _status_form(request, fresh), assessment_form=form, status=status)


def _status_form(request: HttpRequest, recommendation: Recommendation) -> StatusChangeForm | None:
    """A fresh status form for those who may record status changes."""
    return StatusChangeForm(recommendation=recommendation) if can_record_status(request.user) else None


def _conflict_message(version: int) -> str:
    return _(
        "This recommendation was changed by someone else since you opened this page; it is now at version "
        "%(version)s. Nothing was saved. Check its current status and timeline, then record your change again."
    ) % {"version": version}


def _conflict(request: HttpRequest, recommendation: Recommendation, conflict: VersionConflict) -> HttpResponse:
    """Show the page as it is now, keep what the user typed, and explain that nothing was written."""
    fresh = Recommendation.objects.with_related().filter(pk=recommendation.pk).first()
    if fresh is None:
        raise Http404(_("This recommendation has been deleted."))
    data = request.POST.copy()
    data["version"] = str(fresh.version)  # submitting again, after reading the change, applies on top of it
    form = StatusChangeForm(data, recommendation=fresh)
    form.is_valid()
    form.add_error(None, _conflict_message(conflict.current_version or fresh.version))
    return _render_detail(request, fresh, form, status=409)


def _add_service_errors(
    form: StatusChangeForm | ResponseForm | AssessmentForm | PartnerStatusForm | EvidenceForm, error: ValidationError
) -> None:
    """Put the service's validation errors on the form's fields (or on the form as a whole)."""
    if hasattr(error, "error_dict"):
        names = getattr(form, "service_names", {})
        for name, messages_ in error.message_dict.items():
            name = names.get(name, name)
            form.add_error(name if name in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


# --- Saved views ----------------------------------------------------------------------------------------------------


def _saved_view_url(view: SavedView) -> str:
    """The page a saved view opens: the list or the report, with its filters."""
    url_name = "recommendations:list" if view.page == SavedViewPage.LIST else "reports:progress"
    return reverse(url_name) + (f"?{view.query}" if view.query else "")


def _service_errors_to(form: SaveViewForm | SavedViewEditForm, error: ValidationError, names: dict[str, str]) -> None:
    """Put a saved-view service's errors on the form's fields (the query's on the form as a whole)."""
    for name, messages_ in error.message_dict.items():
        field = names.get(name, name)
        form.add_error(field if field in form.fields and field != "query" else None, messages_)


def _render_saved_views(request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
    """The saved-views page: every view the user sees, those they may change with their forms."""
    rows = []
    allowed = shares_allowed(request.user)
    for view in saved_views_for(request.user):
        editable = can_edit_saved_view(request.user, view)
        form = extra.get("forms", {}).get(view.pk)
        if form is None and editable:
            form = SavedViewEditForm(
                initial={"name_ja": view.name_ja, "name_en": view.name_en, "shared_with": view.shared_with},
                allowed_shares=allowed,
                current=view.shared_with,
                prefix=f"view-{view.pk}",
            )
        rows.append({"view": view, "url": _saved_view_url(view), "editable": editable, "form": form})
    return render(request, "recommendations/saved_views.html", {"rows": rows}, status=status)


@page(VIEW)
def saved_view_list(request: HttpRequest) -> HttpResponse:
    """The saved views the user sees, to open, rename, share or delete."""
    return _render_saved_views(request)


@page(VIEW, methods=("POST",))
def saved_view_create_view(request: HttpRequest) -> HttpResponse:
    """Save the filters of the list or the report under a name; back to the page, opened at the new view."""
    language = (get_language() or "en")[:2]
    form = SaveViewForm(request.POST, allowed_shares=shares_allowed(request.user), language=language)
    if form.is_valid():
        try:
            view = saved_view_create(
                owner=request.user,
                page=form.cleaned_data["page"],
                query=form.cleaned_data["query"],
                shared_with=form.cleaned_data["shared_with"] or "",
                **form.names(),
            )
        except ValidationError as error:
            _service_errors_to(form, error, {f"name_{language}": "name", "name": "name"})
        else:
            messages.success(request, _("The view “%(name)s” is saved.") % {"name": view.name})
            return redirect(_saved_view_url(view))
    return render(request, "recommendations/saved_view_form.html", {"form": form}, status=400)


@page(VIEW, methods=("GET", "POST"))
def saved_view_edit(request: HttpRequest, uuid: str) -> HttpResponse:
    """Rename, re-share or delete one saved view (its owner or an administrator)."""
    view = get_object_or_404(saved_views_for(request.user), uuid=uuid)
    if not can_edit_saved_view(request.user, view):
        raise PermissionDenied(_("Only the owner of a view or an administrator may change it."))
    if request.method == "GET":
        return redirect(reverse("recommendations:saved_views") + f"#view-{view.uuid}")
    if request.POST.get("delete"):
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Nothing was deleted: confirm the deletion."))
            return _render_saved_views(request, status=400)
        saved_view_delete(view=view, actor=request.user)
        messages.success(request, _("The view “%(name)s” is deleted.") % {"name": view.name})
        return redirect("recommendations:saved_views")
    form = SavedViewEditForm(
        request.POST,
        allowed_shares=shares_allowed(request.user),
        current=view.shared_with,
        prefix=f"view-{view.pk}",
    )
    if form.is_valid():
        try:
            saved_view_update(
                view=view,
                actor=request.user,
                name_ja=form.cleaned_data["name_ja"],
                name_en=form.cleaned_data["name_en"],
                shared_with=form.cleaned_data["shared_with"] or "",
            )
        except ValidationError as error:
            _service_errors_to(form, error, {"name": "name_en"})
        else:
            messages.success(request, _("The view is saved."))
            return redirect("recommendations:saved_views")
    return _render_saved_views(request, status=400, forms={view.pk: form})
