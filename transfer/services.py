"""Applying an import: the write side of ``importing``, in bulk queries under the rules of the recommendation services.

A confirmed file of 1,000 rows used to go through recommendation_create / recommendation_update row by row (some 35
queries a row). :func:`recommendations_import` writes the same rows, versions, partner links, themes, timeline entries
and change-feed events as those services would (``tests/transfer/test_bulk_import.py`` compares the two), but a chunk
of rows at a time with a fixed number of queries per chunk.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from core.changes import (
    Actor,
    VersionConflict,
    actor_or_none,
    atomic_write,
    change_event,
    dependents_pks,
    latest_representations,
    record_dependents,
    representation,
)
from core.choices import ChangeAction
from core.feed import feed_type_for
from core.models import ChangeEvent, field_max_length, object_uuid
from core.translation import canonical_full_clean, canonical_language, translated_data, with_originals
from partners.models import Partner
from recommendations.choices import Response, Status
from recommendations.models import (
    Recommendation,
    RecommendationPartner,
    ResponseUpdate,
    Source,
    StatusUpdate,
    Theme,
)
from recommendations.services import RECOMMENDATION_FIELDS, PartnerAssignment, validate_partners
from recommendations.services.response import coupled_moves, initial_response
from recommendations.services.status import validate_status_transition

from .importing import Action, ImportPlan, NewObject, RowPlan
from .models import ImportRun, ImportRunStatus

#: Rows written per round of bulk queries: progress is reported after each.
CHUNK_ROWS = 200
#: Called with (rows applied, rows to apply) as the import advances (inside its transaction).
ProgressCallback = Callable[[int, int], None]
#: The model of each kind of object an import may create.
NEW_OBJECT_MODELS: dict[str, type[Source | Partner | Theme]] = {"source": Source, "partner": Partner, "theme": Theme}
#: A recommendation's related objects: the plan read them from the database, so they are not looked up again.
RELATED = ["source", "lead", "agency"]
#: The fields of a recommendation that are written for every updated one (besides those a row changes).
ALWAYS_UPDATED = ("version", "updated_at")

ThemeLink = Recommendation.themes.through


@dataclass
class ImportResult:
    """What an import wrote: the recommendations it created and updated, and the sources, partners and themes."""

    created: list[Recommendation] = field(default_factory=list)
    updated: list[Recommendation] = field(default_factory=list)
    unchanged: int = 0
    new_objects: list[Source | Partner | Theme] = field(default_factory=list)

    def summary(self) -> str:
        """One line: what was written."""
        created, updated = len(self.created), len(self.updated)
        separator = pgettext("separates the items of a list", ", ")
        parts = [
            ngettext("%(count)d created", "%(count)d created", created) % {"count": created},
            ngettext("%(count)d updated", "%(count)d updated", updated) % {"count": updated},
            ngettext("%(count)d unchanged", "%(count)d unchanged", self.unchanged) % {"count": self.unchanged},
        ]
        text = separator.join(parts) + pgettext("ends a sentence", ".")
        if self.new_objects:
            added = separator.join(
                pgettext("what an import added: a kind and a slug", "%(kind)s %(slug)s")
                % {"kind": type(obj)._meta.verbose_name, "slug": obj.slug}
                for obj in self.new_objects
            )
            text = _("%(summary)s Added: %(added)s.") % {"summary": text, "added": added}
        return text


@atomic_write
def recommendations_import(*, plan: ImportPlan, actor: Actor, progress: ProgressCallback | None = None) -> ImportResult:
    """Apply an import plan (``importing.import_plan``) in one transaction: the whole file lands, or nothing does.

    The plan's new sources, partners and themes are created first; then the rows, ``CHUNK_ROWS`` at a time, in bulk
    queries that keep versions, partner links, themes, the status and response timelines (with ``actor`` as author)
    and the change feed exactly as recommendation_create / recommendation_update would. A plan with errors is refused
    (ValidationError). Each update names the version the plan saw: if someone changed that recommendation since,
    VersionConflict is raised and nothing is written; a reference or slug someone added since is a ValidationError.
    ``progress`` is called with (rows applied, rows to apply) after each chunk.
    """
    if plan.has_errors:
        count = len(plan.error_rows)
        raise ValidationError(
            ngettext(
                "The file has errors in %(count)d row: nothing was imported.",
                "The file has errors in %(count)d rows: nothing was imported.",
                count,
            )
            % {"count": count}
        )
    writer = _BulkWriter(actor=actor)
    made = writer.create_new_objects(plan.new_objects)
    result = ImportResult(new_objects=list(made.values()), unchanged=plan.count(Action.UNCHANGED))
    rows = [row for row in plan.rows if row.action in (Action.CREATE, Action.UPDATE)]
    if progress is not None:
        progress(0, len(rows))
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start : start + CHUNK_ROWS]
        writer.apply(chunk, made, result)
        if progress is not None:
            progress(start + len(chunk), len(rows))
    return result


def _represent(instances: list[Any]) -> list[dict[str, Any]]:
    """The change feed's representations of objects of one model, in their order, in as few queries as it can."""
    if not instances:
        return []
    feed_type = feed_type_for(type(instances[0]))
    with canonical_language():
        if feed_type.represent_many is not None:
            return feed_type.represent_many([obj.pk for obj in instances])
        return list(feed_type.serializer(instances, many=True, context={"request": None}).data)


@dataclass
class _RowWrite:
    """What one row writes: its recommendation, its partner links and theme changes, and its timeline entries."""

    recommendation: Recommendation
    action: ChangeAction
    links_removed: list[RecommendationPartner] = field(default_factory=list)
    links_created: list[RecommendationPartner] = field(default_factory=list)
    links_updated: list[RecommendationPartner] = field(default_factory=list)
    themes_removed: set[int] = field(default_factory=set)
    themes_added: set[int] = field(default_factory=set)
    status_update: StatusUpdate | None = None
    response_update: ResponseUpdate | None = None
    changed: list[str] = field(default_factory=list)


class _BulkWriter:
    """Writes an import's rows a chunk at a time (call inside the import's transaction)."""

    def __init__(self, *, actor: Actor) -> None:
        self.actor = actor
        self.user = actor_or_none(actor)
        self.now = timezone.now()

    # --- Sources, partners and themes --------------------------------------------------------------------------

    def create_new_objects(self, new_objects: list[NewObject]) -> dict[NewObject, Source | Partner | Theme]:
        """Create the plan's new sources, partners and themes (validated as versioned_create validates them)."""
        made: dict[NewObject, Source | Partner | Theme] = {}
        for kind, model in NEW_OBJECT_MODELS.items():
            news = [new for new in new_objects if new.kind == kind]
            instances: list[Any] = []
            for new in news:
                instance = model(**translated_data(model, new.data), created_at=self.now, updated_at=self.now)
                canonical_full_clean(instance)  # a slug someone took since the plan is refused here
                instances.append(instance)
            if instances:
                with canonical_language():
                    model._default_manager.bulk_create(instances)
            made.update(zip(news, instances, strict=True))
        events = [
            change_event(made[new], action=ChangeAction.CREATED, actor=self.actor, data=representation(made[new]))
            for new in new_objects
        ]
        ChangeEvent.objects.bulk_create(events)
        return made

    # --- Rows --------------------------------------------------------------------------------------------------

    def apply(self, rows: list[RowPlan], made: Mapping[NewObject, models.Model], result: ImportResult) -> None:
        """Write one chunk of create and update rows, in the file's order."""
        current = self._current([row for row in rows if row.action == Action.UPDATE])
        self._refuse_taken_references([row for row in rows if row.action == Action.CREATE])
        writes: list[_RowWrite] = []
        for row in rows:
            if row.action == Action.CREATE:
                write = self._plan_create(row.resolved(made))
                result.created.append(write.recommendation)
                writes.append(write)
            else:
                assert row.recommendation is not None  # import_plan gives every update row its recommendation
                fresh = current[row.recommendation.pk]
                update = self._plan_update(fresh, translated_data(Recommendation, row.resolved(made)))
                result.updated.append(fresh)
                if update is not None:
                    writes.append(update)
        self._write(writes)

    def _current(self, rows: list[RowPlan]) -> dict[int, Recommendation]:
        """The recommendations the update rows change, as stored now; VersionConflict if one changed since the plan."""
        pks = [row.recommendation.pk for row in rows if row.recommendation is not None]
        links = models.Prefetch("partner_links", queryset=RecommendationPartner.objects.select_related("partner"))
        found = {rec.pk: rec for rec in Recommendation.objects.filter(pk__in=pks).prefetch_related(links, "themes")}
        for row in rows:
            assert row.recommendation is not None
            fresh = found.get(row.recommendation.pk)
            if fresh is None or fresh.version != row.version:
                raise VersionConflict(current_version=fresh.version if fresh else None)
        return found

    def _refuse_taken_references(self, rows: list[RowPlan]) -> None:
        """ValidationError if a reference the file creates was added since the plan (in any letter case)."""
        wanted = [row.reference.lower() for row in rows]
        if not wanted:
            return
        taken = (
            Recommendation.objects.annotate(lowered=Lower("reference"))
            .filter(lowered__in=wanted)
            .values_list("reference", flat=True)
            .first()
        )
        if taken is not None:
            raise ValidationError(
                _("“%(reference)s” was added by someone else after the file was checked: upload it again.")
                % {"reference": taken}
            )

    def _plan_create(self, values: dict[str, Any]) -> _RowWrite:
        """A new recommendation with its links and first timeline entries (as recommendation_create makes them)."""
        now = self.now
        status, response = initial_response(
            status=values.get("status", Status.PROPOSED), response=values.get("response", Response.NO_RESPONSE)
        )
        texts = {name: values.get(name, "") for name in ("title_en", "title_ja", "description_en", "description_ja")}
        response_date = values.get("response_date")
        recommendation = Recommendation(
            source=values["source"],
            reference=values["reference"],
            **translated_data(Recommendation, texts),
            source_excerpt=values.get("source_excerpt", ""),
            section=values.get("section", ""),
            status=status,
            response=response,
            response_date=(response_date or timezone.localdate(now)) if response != Response.NO_RESPONSE else None,
            priority=values["priority"],
            team=values.get("team", ""),
            target_date=values.get("target_date"),
            lead=values.get("lead"),
            agency=values.get("agency"),
            review_date=values.get("review_date"),
            status_changed_at=now,
            created_at=now,
            updated_at=now,
        )
        canonical_full_clean(recommendation, exclude=RELATED, validate_unique=False)  # see _refuse_taken_references
        partners: list[PartnerAssignment] = values.get("partners", [])
        write = _RowWrite(recommendation=recommendation, action=ChangeAction.CREATED)
        write.links_created = self._links(recommendation, partners)
        write.themes_added = {theme.pk for theme in values.get("themes", [])}
        note = values.get("status_note", "")
        write.status_update = self._status_entry(recommendation, from_status="", to_status=status, note=note)
        if response != Response.NO_RESPONSE:
            write.response_update = self._response_entry(
                recommendation,
                from_response=Response.NO_RESPONSE,
                to_response=response,
                responded_on=recommendation.response_date,
                note=note,
            )
        return write

    def _links(self, recommendation: Recommendation, partners: list[PartnerAssignment]) -> list[RecommendationPartner]:
        """New partner links of a recommendation, in the order given."""
        return [
            RecommendationPartner(
                recommendation=recommendation, partner=partner, role=role, created_at=self.now, updated_at=self.now
            )
            for partner, role in validate_partners(partners).values()
        ]

    def _plan_update(self, fresh: Recommendation, data: dict[str, Any]) -> _RowWrite | None:
        """What an update row changes of ``fresh`` (as recommendation_update would); None if nothing."""
        write = _RowWrite(recommendation=fresh, action=ChangeAction.UPDATED)
        changed = write.changed
        for name in RECOMMENDATION_FIELDS & set(data):
            if getattr(fresh, name) != data[name]:
                setattr(fresh, name, data[name])
                changed.append(name)
        canonical_full_clean(fresh, exclude=["status", *RELATED], validate_unique=False)  # the reference stays
        new_status: str | None = data.get("status")
        new_response: str | None = data.get("response")
        moves = coupled_moves(
            recommendation=fresh,
            to_status=new_status if new_status is not None and new_status != fresh.status else None,
            to_response=new_response if new_response is not None and new_response != fresh.response else None,
        )
        to_status, to_response = moves.to_status, moves.to_response
        note = data.get("status_note") or ""
        if to_status is not None:
            validate_status_transition(from_status=fresh.status, to_status=to_status, note=note)
        elif note:
            raise ValidationError(
                {"status": _("A note or evidence is recorded with a status change: choose a new status.")}
            )
        if "partners" in data:
            self._relink(write, data["partners"])
        if "themes" in data:
            wanted = {theme.pk for theme in data["themes"]}
            current = {theme.pk for theme in fresh.themes.all()}
            if wanted != current:
                write.themes_added, write.themes_removed = wanted - current, current - wanted
                changed.append("themes")
        if not changed and to_status is None and to_response is None:
            return None
        fresh.version += 1
        fresh.updated_at = self.now
        if to_status is not None:
            write.status_update = self._status_entry(fresh, from_status=fresh.status, to_status=to_status, note=note)
            fresh.status, fresh.status_changed_at = to_status, self.now
            changed.append("status")
        if to_response is not None:
            write.response_update = self._response_entry(
                fresh,
                from_response=fresh.response,
                to_response=to_response,
                responded_on=data.get("response_date"),
                note=note,
            )
            fresh.response, fresh.response_date = to_response, write.response_update.responded_on
            changed.append("response")
        return write

    def _relink(self, write: _RowWrite, partners: list[PartnerAssignment]) -> None:
        """The partner links to remove, add and give a new role (as recommendation_update's _set_partners)."""
        wanted = validate_partners(partners)
        existing = {link.partner_id: link for link in write.recommendation.partner_links.all()}
        write.links_removed = [link for partner_id, link in existing.items() if partner_id not in wanted]
        for partner_id, (partner, role) in wanted.items():
            link = existing.get(partner_id)
            if link is None:
                write.links_created += self._links(write.recommendation, [(partner, role)])
            elif link.role != role:
                link.role, link.version, link.updated_at = role, link.version + 1, self.now
                write.links_updated.append(link)
        if write.links_removed or write.links_created or write.links_updated:
            write.changed.append("partners")

    def _status_entry(
        self, recommendation: Recommendation, *, from_status: str, to_status: str, note: str
    ) -> StatusUpdate:
        """An unsaved status timeline entry, validated as status_update_record validates it."""
        entry = StatusUpdate(
            recommendation=recommendation,
            from_status=from_status,
            to_status=to_status,
            note=note or "",
            evidence_url="",
            author=self.user,
            created_at=self.now,
        )
        try:
            entry.full_clean(exclude=["recommendation", "author"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            raise ValidationError(
                {{"to_status": "status"}.get(name, name): messages for name, messages in error.message_dict.items()}
            ) from error
        return entry

    def _response_entry(
        self, recommendation: Recommendation, *, from_response: str, to_response: str, responded_on: Any, note: str
    ) -> ResponseUpdate:
        """An unsaved response entry, validated as response_update_record validates it."""
        entry = ResponseUpdate(
            recommendation=recommendation,
            from_response=from_response,
            to_response=to_response,
            responded_on=responded_on or timezone.localdate(self.now),
            note=note or "",
            evidence_url="",
            author=self.user,
            created_at=self.now,
        )
        try:
            entry.full_clean(exclude=["recommendation", "author"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            names = {"to_response": "response", "responded_on": "response_date", "note": "response_note"}
            raise ValidationError(
                {names.get(name, name): messages for name, messages in error.message_dict.items()}
            ) from error
        return entry

    # --- Writing -----------------------------------------------------------------------------------------------

    def _write(self, writes: list[_RowWrite]) -> None:
        """Write a chunk's rows in bulk, then its change-feed events in the order the services would write them."""
        created = [w.recommendation for w in writes if w.action == ChangeAction.CREATED]
        updated = [w for w in writes if w.action == ChangeAction.UPDATED]
        removed = [link for w in writes for link in w.links_removed]
        removed_data = dict(zip((link.pk for link in removed), _represent(removed), strict=True))
        with canonical_language():  # the translated fields' own columns hold their canonical values
            Recommendation.objects.rewrite(False).bulk_create(created)
            fields = {"status_changed_at", "response", "response_date"} | {
                name for w in updated for name in w.changed if name in RECOMMENDATION_FIELDS or name == "status"
            }
            if updated:
                Recommendation.objects.rewrite(False).bulk_update(  # own columns as named
                    [w.recommendation for w in updated],
                    fields=[*ALWAYS_UPDATED, *sorted(with_originals(Recommendation, fields))],
                )
        if removed:
            RecommendationPartner.objects.filter(pk__in=[link.pk for link in removed]).delete()
        for write in writes:  # the recommendations created above have their keys now
            for new_link in write.links_created:
                new_link.recommendation = write.recommendation
        RecommendationPartner.objects.bulk_create([link for w in writes for link in w.links_created])
        role_changes = [link for w in writes for link in w.links_updated]
        if role_changes:
            RecommendationPartner.objects.bulk_update(role_changes, fields=["role", "version", "updated_at"])
        untheme = models.Q()
        for write in writes:
            if write.themes_removed:
                untheme |= models.Q(recommendation_id=write.recommendation.pk, theme_id__in=write.themes_removed)
        if untheme:
            ThemeLink.objects.filter(untheme).delete()
        ThemeLink.objects.bulk_create(
            [
                ThemeLink(recommendation_id=w.recommendation.pk, theme_id=theme_id)
                for w in writes
                for theme_id in sorted(w.themes_added)
            ]
        )
        for write in writes:
            for entry in (write.status_update, write.response_update):
                if entry is not None:
                    entry.recommendation = write.recommendation
        StatusUpdate.objects.bulk_create([w.status_update for w in writes if w.status_update is not None])
        ResponseUpdate.objects.bulk_create([w.response_update for w in writes if w.response_update is not None])
        self._record(writes, removed_data)
        for write in updated:  # objects that show a changed field (none for the fields an import changes)
            record_dependents(dependents_pks(write.recommendation, set(write.changed)), actor=self.actor, now=self.now)

    def _record(self, writes: list[_RowWrite], removed_data: dict[int, dict[str, Any]]) -> None:
        """The chunk's change-feed events: for each row its recommendation, partner links removed, added and changed,
        status entry and response entry, as recommendation_create / recommendation_update record them."""
        recommendations = [w.recommendation for w in writes]
        links = [link for w in writes for link in (*w.links_created, *w.links_updated)]
        statuses = [w.status_update for w in writes if w.status_update is not None]
        responses = [w.response_update for w in writes if w.response_update is not None]
        data: dict[tuple[type[models.Model], int], dict[str, Any]] = {}
        for group in (recommendations, links, statuses, responses):
            data.update(((type(obj), obj.pk), rep) for obj, rep in zip(group, _represent(group), strict=True))
        previous = latest_representations(
            Recommendation, [w.recommendation.uuid for w in writes if w.action == ChangeAction.UPDATED]
        )
        previous.update(
            latest_representations(RecommendationPartner, [link.uuid for w in writes for link in w.links_updated])
        )

        def event(obj: models.Model, action: ChangeAction, representation: dict[str, Any] | None = None) -> ChangeEvent:
            rep = representation if representation is not None else data[(type(obj), obj.pk)]
            return change_event(obj, action=action, actor=self.actor, data=rep, previous=previous.get(object_uuid(obj)))

        events = []
        with canonical_language():  # once for all the events' names (object_repr), not once per event
            for write in writes:
                events.append(event(write.recommendation, write.action))
                events += [event(link, ChangeAction.DELETED, removed_data[link.pk]) for link in write.links_removed]
                events += [event(link, ChangeAction.CREATED) for link in write.links_created]
                events += [event(link, ChangeAction.UPDATED) for link in write.links_updated]
                events += [
                    event(entry, ChangeAction.CREATED)
                    for entry in (write.status_update, write.response_update)
                    if entry
                ]
        ChangeEvent.objects.bulk_create(events)


# --- Import runs (an import confirmed in the admin, applied by a worker) ---------------------------------------------


@atomic_write
def import_run_create(
    *,
    user: User,
    filename: str,
    content: bytes,
    signature: str,
    create_missing: bool,
    total_rows: int,
    language: str,
) -> ImportRun:
    """Record a confirmed import for a worker to apply (``tasks.import_run_apply``); nothing else is written."""
    return ImportRun.objects.create(
        user=user,
        filename=filename[: field_max_length(ImportRun, "filename")],
        content=content,
        signature=signature,
        create_missing=create_missing,
        total_rows=total_rows,
        language=language,
    )


@atomic_write
def import_run_start(*, run: ImportRun, total_rows: int) -> ImportRun:
    """Mark a run running (one more attempt), with the rows it is about to apply."""
    run.status, run.started_at, run.finished_at = ImportRunStatus.RUNNING, timezone.now(), None
    run.total_rows, run.rows_applied, run.attempts, run.error = total_rows, 0, run.attempts + 1, ""
    run.save(update_fields=["status", "started_at", "finished_at", "total_rows", "rows_applied", "attempts", "error"])
    return run


@atomic_write
def import_run_finish(*, run: ImportRun, result: ImportResult) -> ImportRun:
    """Mark a run succeeded, with what it wrote (after the import's own transaction)."""
    run.status, run.finished_at = ImportRunStatus.SUCCEEDED, timezone.now()
    run.rows_applied, run.summary, run.error = run.total_rows, result.summary(), ""
    run.save(update_fields=["status", "finished_at", "rows_applied", "summary", "error"])
    return run


@atomic_write
def import_run_fail(*, run: ImportRun, error: str, retry: bool = False) -> ImportRun:
    """Mark a run failed with the reason (nothing of it was written), or queued again if it will be ``retry``-ed."""
    run.status = ImportRunStatus.QUEUED if retry else ImportRunStatus.FAILED
    run.finished_at = None if retry else timezone.now()
    run.rows_applied, run.error = 0, error
    run.save(update_fields=["status", "finished_at", "rows_applied", "error"])
    return run
