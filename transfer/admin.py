"""Import and export in the recommendation admin: upload → preview → confirm, and downloads of the list.

The recommendations app's admin knows nothing of files: this module registers a subclass of it that adds the import
views and the export actions (same URLs under ``admin/recommendations/recommendation/``). The uploaded file waits in
the staging folder (``staging``) between the preview and the confirmation. Confirming reads the same bytes and plans
again; if the new plan is the one the user saw (its signature covers every row's action, changes and the versions it
read) it records an import run with the bytes and enqueues it for a worker (``tasks.import_run_apply``), which plans
once more and applies only that same plan; otherwise the new plan is shown instead. The run's page shows its progress
and outcome. The apply step also names each version it read, so a change slipping in between is refused rather than
overwritten.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.limits import accepts_uploads
from core.querystrings import attachment
from core.spreadsheets import CONTENT_TYPES, FORMATS, MAX_FILE_BYTES, MAX_ROWS, Table, TableFileError
from recommendations.admin.recommendations import RecommendationAdmin as BaseRecommendationAdmin
from recommendations.models import Recommendation

from .exports import export_file, export_filename
from .forms import ImportForm
from .importing import COLUMNS, KIND_LABELS, Action, ImportPlan, import_plan, plan_summary, read_import_file
from .models import ImportRun, ImportRunStatus
from .progress import progress_read
from .services import import_run_create, import_run_fail
from .staging import SESSION_KEY, StagingError, discard, stage, staged_upload
from .tasks import CREATE_PERMISSIONS, import_run_apply

if TYPE_CHECKING:
    from django.urls import URLPattern

    _AdminBase = admin.ModelAdmin[Recommendation]  # what the mixin is mixed into (at run time: object)
else:
    _AdminBase = object

#: The largest upload request: the largest file, and room for the form around it.
IMPORT_BODY_BYTES = MAX_FILE_BYTES + 256 * 1024
logger = logging.getLogger(__name__)

#: How many of the user's latest import runs the import page lists.
RECENT_RUNS = 10


def export_response(queryset: QuerySet[Recommendation], fmt: str) -> HttpResponse:
    """A download of the recommendations in the import's columns."""
    response = HttpResponse(export_file(queryset=queryset, fmt=fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = attachment(export_filename(fmt))
    return response


class RecommendationImportExportMixin(_AdminBase):
    """Adds to a recommendation admin: the import (upload, preview, confirm) and exports of the list."""

    import_form_template = "admin/recommendations/recommendation/import_form.html"
    import_preview_template = "admin/recommendations/recommendation/import_preview.html"
    import_run_template = "admin/recommendations/recommendation/import_run.html"

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path(
                "import/", accepts_uploads(IMPORT_BODY_BYTES)(wrap(self.import_view)), name="{}_{}_import".format(*info)
            ),
            path("import/confirm/", wrap(self.import_confirm_view), name="{}_{}_import_confirm".format(*info)),
            path(
                "import/create-missing/",
                wrap(self.import_create_missing_view),
                name="{}_{}_import_create_missing".format(*info),
            ),
            path("import/<uuid:run>/", wrap(self.import_run_view), name="{}_{}_import_run".format(*info)),
            path("export/<str:fmt>/", wrap(self.export_view), name="{}_{}_export".format(*info)),
            *super().get_urls(),
        ]

    def _admin_url(self, name: str) -> str:
        """The URL of one of this admin's views: "changelist", "import", ..."""
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}")

    def has_import_permission(self, request: HttpRequest) -> bool:
        """Importing adds and changes recommendations: the policy team and administrators."""
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        extra_context = {**(extra_context or {}), "can_import": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def _context(self, request: HttpRequest, **extra: Any) -> dict[str, Any]:
        """What every import page's template needs."""
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "columns": COLUMNS,
            "max_mb": MAX_FILE_BYTES // (1024 * 1024),
            "max_rows": MAX_ROWS,
            **extra,
        }

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """The upload form; a valid upload shows its preview."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
        if form.is_bound and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                token = stage(
                    request,
                    content=form.content,
                    filename=upload.name,
                    create_missing=form.cleaned_data["create_missing"],
                    signature=form.plan.signature,
                )
            except StagingError as error:
                form.add_error(None, str(error))
            else:
                return self._preview(
                    request,
                    form.plan,
                    token=token,
                    filename=upload.name,
                    table=form.table,
                    create_missing=form.cleaned_data["create_missing"],
                )
        runs = ImportRun.objects.filter(user_id=request.user.pk or 0).defer("content")[:RECENT_RUNS]
        context = self._context(
            request, title=_("Import recommendations"), form=form, media=self.media + form.media, runs=runs
        )
        return TemplateResponse(request, self.import_form_template, context)

    def _missing_offer(self, request: HttpRequest, table: Table, plan: ImportPlan) -> dict[str, Any] | None:
        """What planning the same file with ``create_missing`` would create, if that is what stands in its way and
        this user may add all of it: the preview then offers to create them instead of asking for the file again."""
        if not plan.has_errors:
            return None
        with_new = import_plan(table=table, create_missing=True)
        if not with_new.new_objects:
            return None
        if not all(request.user.has_perm(CREATE_PERMISSIONS[new.kind]) for new in with_new.new_objects):
            return None
        return {"new_objects": with_new.new_objects, "errors_after": with_new.count(Action.ERROR)}

    def _preview(
        self,
        request: HttpRequest,
        plan: ImportPlan,
        *,
        token: str,
        filename: str,
        changed: bool = False,
        table: Table | None = None,
        create_missing: bool = True,
    ) -> TemplateResponse:
        """The preview: every row's action, changes and errors, the counts, and the confirm button if all is well;
        with ``table`` of a file planned without ``create_missing``, the offer to create what it names."""
        cannot_create = sorted(
            {new.kind for new in plan.new_objects if not request.user.has_perm(CREATE_PERMISSIONS[new.kind])}
        )
        writes = plan.count(Action.CREATE) + plan.count(Action.UPDATE)
        context = self._context(
            request,
            title=_("Import preview: %(file)s") % {"file": filename},
            plan=plan,
            counts=plan.counts,
            token=token,
            filename=filename,
            changed=changed,
            cannot_create=cannot_create,
            cannot_create_labels=[str(KIND_LABELS[kind]) for kind in cannot_create],
            summary=plan_summary(plan),
            can_confirm=not plan.has_errors and not cannot_create and writes > 0,
            missing_offer=None if table is None or create_missing else self._missing_offer(request, table, plan),
        )
        return TemplateResponse(request, self.import_preview_template, context)

    def _staged_plan(
        self, request: HttpRequest, *, create_missing: bool | None = None
    ) -> tuple[str, dict[str, Any], bytes, ImportPlan] | HttpResponse:
        """The POSTed token's staged upload, planned again (``create_missing`` as staged unless given); or the answer
        that ends the request: the upload form with a message when it is gone, unreadable or expired."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        import_url = self._admin_url("import")
        if request.method != "POST":
            return HttpResponseRedirect(import_url)
        token = request.POST.get("token", "")
        try:
            staged = staged_upload(request, token)
        except StagingError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(import_url)
        if staged is None:
            self.message_user(
                request, _("This import is no longer available (expired or applied): upload the file again."), "error"
            )
            return HttpResponseRedirect(import_url)
        entry, content = staged
        try:
            plan = import_plan(
                table=read_import_file(content=content, filename=entry["filename"]),
                create_missing=entry["create_missing"] if create_missing is None else create_missing,
            )
        except TableFileError as error:
            discard(request, token)
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(import_url)
        return token, entry, content, plan

    def _restage(self, request: HttpRequest, token: str, entry: dict[str, Any], **changes: Any) -> None:
        """Keep what a new plan of a staged upload changed (its signature, create_missing) in the session."""
        staged_entries = dict(request.session[SESSION_KEY])
        staged_entries[token] = {**entry, **changes}
        request.session[SESSION_KEY] = staged_entries

    def import_confirm_view(self, request: HttpRequest) -> HttpResponse:
        """Apply a previewed import, if the file still plans exactly as previewed."""
        staged = self._staged_plan(request)
        if isinstance(staged, HttpResponse):
            return staged
        token, entry, content, plan = staged
        if plan.signature != entry["signature"]:
            self._restage(request, token, entry, signature=plan.signature)
            return self._preview(request, plan, token=token, filename=entry["filename"], changed=True)
        preview = self._preview(request, plan, token=token, filename=entry["filename"])
        if preview.context_data is None or not preview.context_data["can_confirm"]:
            return preview
        run = import_run_create(
            user=request.user,  # type: ignore[arg-type]  # the admin serves signed-in staff only
            filename=entry["filename"],
            content=content,
            signature=plan.signature,
            create_missing=entry["create_missing"],
            total_rows=plan.count(Action.CREATE) + plan.count(Action.UPDATE),
            language=translation.get_language() or "",
        )
        try:
            import_run_apply.enqueue(run.pk)
        except Exception:
            logger.exception("import run %s could not be queued", run.uuid)
            import_run_fail(run=run, error=_("Nothing was imported: the import could not be queued. Try again."))
            self.message_user(request, _("The import could not be queued: nothing was imported."), messages.ERROR)
            return HttpResponseRedirect(self._admin_url("import"))
        discard(request, token)
        self.message_user(
            request, _("Queued for import: %(file)s. This page shows how far it has come.") % {"file": run.filename}
        )
        return HttpResponseRedirect(self._run_url(run))

    def import_create_missing_view(self, request: HttpRequest) -> HttpResponse:
        """Plan a staged file again, creating the sources, partners and themes it names that do not exist yet; the
        preview of that plan is shown (nothing is written before its confirmation)."""
        staged = self._staged_plan(request, create_missing=True)
        if isinstance(staged, HttpResponse):
            return staged
        token, entry, _content, plan = staged
        self._restage(request, token, entry, create_missing=True, signature=plan.signature)
        return self._preview(request, plan, token=token, filename=entry["filename"])

    def _run_url(self, run: ImportRun) -> str:
        """The page of one import run."""
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import_run", kwargs={"run": run.uuid})

    def import_run_view(self, request: HttpRequest, run: uuid.UUID) -> HttpResponse:
        """An import run's status and progress; it refreshes itself while the run is queued or running.

        Only the run's user and superusers see it (404 for anyone else, who learns nothing of it)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        found = ImportRun.objects.defer("content").filter(uuid=run)
        if not request.user.is_superuser:
            found = found.filter(user_id=request.user.pk or 0)
        import_run = found.first()
        if import_run is None:
            raise Http404(_("No such import."))
        applied, total = import_run.rows_applied, import_run.total_rows
        if import_run.status == ImportRunStatus.RUNNING:
            applied, total = progress_read(import_run.uuid) or (applied, total)
        context = self._context(
            request,
            title=_("Import: %(file)s") % {"file": import_run.filename},
            run=import_run,
            applied=applied,
            total=total,
            refresh=import_run.is_active,
        )
        return TemplateResponse(request, self.import_run_template, context)

    def export_view(self, request: HttpRequest, fmt: str) -> HttpResponse:
        """Download the changelist as it is filtered, searched and sorted now."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if fmt not in FORMATS:
            raise Http404
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            self.message_user(request, _("The list's filters are not valid; nothing exported."), messages.ERROR)
            return HttpResponseRedirect(self._admin_url("changelist"))
        return export_response(changelist.queryset, fmt)

    @admin.action(description=gettext_lazy("Export selected as CSV"), permissions=["view"])
    def export_selected_csv(self, request: HttpRequest, queryset: QuerySet[Recommendation]) -> HttpResponse:
        """Download the selected recommendations as CSV."""
        return export_response(queryset.order_by("reference"), "csv")

    @admin.action(description=gettext_lazy("Export selected as XLSX"), permissions=["view"])
    def export_selected_xlsx(self, request: HttpRequest, queryset: QuerySet[Recommendation]) -> HttpResponse:
        """Download the selected recommendations as an Excel workbook."""
        return export_response(queryset.order_by("reference"), "xlsx")


admin.site.unregister(Recommendation)


@admin.register(Recommendation)
class RecommendationAdmin(RecommendationImportExportMixin, BaseRecommendationAdmin):
    """The recommendation admin with the import and the exports."""

    actions = [*BaseRecommendationAdmin.actions, "export_selected_csv", "export_selected_xlsx"]
