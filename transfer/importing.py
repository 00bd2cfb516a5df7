"""Import of recommendations from a spreadsheet: the columns, how a cell is read, and the plan.

:func:`import_plan` reads the database but writes nothing: for every row it says what the import would do (create,
update with the fields that change, leave unchanged) or why it cannot (error). ``services.recommendations_import``
then applies a plan without errors, all rows in one transaction. The editable export (``exports.py``) writes the
same columns in the same notation, so an exported file imports back as "unchanged" throughout.

Columns (headings are case-insensitive; spaces and hyphens count as underscores; a column's label in Japanese or
English, as the readable export writes it, works too):

* ``reference`` (required): the key. An existing reference updates that recommendation, a new one creates one.
* ``title_ja``, ``title_en``, ``description_ja``, ``description_en``: the title and description in Japanese and
  English. A new recommendation needs a title and a description in at least one language, and a ``source``; they
  can never be emptied in both. A file with one language's columns leaves the other language as it is. Files from
  before content was bilingual say ``title`` and ``description``: those are the English columns.
* ``source_excerpt``, ``section``, ``team``: text; an empty cell empties the field.
* ``source``: the source's slug or title (or short title).
* ``partners``: ``;``-separated partner slugs or names (or short names), each optionally followed by ``:role``
  (lead, counterpart, addressee), e.g. ``japan:addressee; australia:counterpart; quad``.
* ``themes``: ``;``-separated theme slugs or names.
* ``priority`` (high, medium, low) and ``status`` (proposed, under_review, ...; labels work too): an empty cell
  keeps the current value (a new recommendation: medium, proposed).
* ``lead`` (an active user's name), ``agency`` (the slug of a partner of kind domestic agency) and ``review_date``
  (YYYY-MM-DD): who answers for the recommendation and when it is next reviewed; an empty cell clears them.
* ``target_date``: YYYY-MM-DD (also YYYY/MM/DD, or a date cell in XLSX); empty clears it.
* ``status_note``: the timeline note recorded when the row changes the status (required when reopening an
  implemented or not adopted recommendation); ignored when the status does not change. It is also the note of a
  response the row records.
* ``response`` (no_response, accepted, accepted_in_part, accepted_in_principle, noted, rejected; labels work too)
  and ``response_date`` (YYYY-MM-DD): a different response records it, with that date (default: today), under the
  response rules (``recommendations.services.response``: rejected is not adopted); an empty cell keeps it.

A column left out of the file leaves that field as it is. Unknown partners, themes and sources are row errors,
unless ``create_missing`` is on: then each is created once (slug from its name; partners as countries, sources as
reports; complete them in the admin afterwards).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy

from core.models import field_max_length
from core.spreadsheets import Table, TableFileError, table_read
from core.translation import canonical_clean_fields
from partners.choices import PartnerKind
from partners.models import Partner
from recommendations.choices import PartnerRole, Priority, Response, SourceKind, Status
from recommendations.models import Recommendation, Source, Theme
from recommendations.services import validate_status_transition
from recommendations.services.response import coupled_moves, initial_response

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

#: Every column the import reads and the export writes, in the export's order.
COLUMNS = (
    "reference",
    "title_ja",
    "title_en",
    "description_ja",
    "description_en",
    "source_excerpt",
    "section",
    "source",
    "partners",
    "themes",
    "priority",
    "team",
    "target_date",
    "status",
    "status_note",
    "response",
    "response_date",
    "lead",
    "agency",
    "review_date",
)
#: The key of the row list in a JSON file: ``{"recommendations": [...]}``.
JSON_KEY = "recommendations"
#: Columns every file must have.
REQUIRED_COLUMNS = ("reference",)
#: Headings of files from before content was bilingual, and the columns they stand for (their text was English).
LEGACY_COLUMNS = {"title": "title_en", "description": "description_en"}
#: Columns a new recommendation needs a value in (and which can never be emptied); a translated field's in at least
#: one of its languages.
REQUIRED_VALUES = ("title", "description", "source")
#: The language columns of each translated field the file carries.
LANGUAGE_COLUMNS = {field: tuple(c for c in COLUMNS if c.startswith(f"{field}_")) for field in ("title", "description")}
#: Plain text columns, compared after trimming and normalising line ends.
TEXT_COLUMNS = (*LANGUAGE_COLUMNS["title"], *LANGUAGE_COLUMNS["description"], "source_excerpt", "section", "team")
#: How a column is called in headings people write (the import also accepts these, in either language).
COLUMN_LABELS: dict[str, _StrPromise] = {
    "reference": gettext_lazy("Reference"),
    "title_ja": gettext_lazy("Title (Japanese)"),
    "title_en": gettext_lazy("Title (English)"),
    "description_ja": gettext_lazy("Description (Japanese)"),
    "description_en": gettext_lazy("Description (English)"),
    "source_excerpt": gettext_lazy("Source excerpt"),
    "section": gettext_lazy("Section"),
    "source": gettext_lazy("Source"),
    "partners": gettext_lazy("Partners"),
    "themes": gettext_lazy("Themes"),
    "priority": gettext_lazy("Priority"),
    "team": gettext_lazy("Team"),
    "target_date": gettext_lazy("Target date"),
    "status": gettext_lazy("Status"),
    "status_note": gettext_lazy("Status note"),
    "response": gettext_lazy("Response"),
    "response_date": gettext_lazy("Response date"),
    "lead": gettext_lazy("Responsible lead"),
    "agency": gettext_lazy("Responsible agency"),
    "review_date": gettext_lazy("Next review date"),
}
#: Separates several partners or themes in one cell.
ITEM_SEPARATOR = ";"
#: Separates a partner from its role: ``japan:addressee``.
ROLE_SEPARATOR = ":"
#: Date notations accepted in text cells.
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d")
#: How many characters of a value the text preview shows.
PREVIEW_WIDTH = 120


class Action(StrEnum):
    """What the import does with one row."""

    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"

    @property
    def label(self) -> str:
        """The action as the preview names it, in the user's language."""
        return str(ACTION_LABELS[self])


#: What the preview calls each action (the values above stay the machine-readable ones).
ACTION_LABELS: dict[Action, _StrPromise] = {
    Action.CREATE: pgettext_lazy("what an import does with a row", "create"),
    Action.UPDATE: pgettext_lazy("what an import does with a row", "update"),
    Action.UNCHANGED: pgettext_lazy("what an import does with a row", "unchanged"),
    Action.ERROR: pgettext_lazy("what an import does with a row", "error"),
}
#: What a source, partner or theme the import creates is called in messages.
KIND_LABELS: dict[str, _StrPromise] = {
    "source": pgettext_lazy("kind of object an import creates", "source"),
    "partner": pgettext_lazy("kind of object an import creates", "partner"),
    "theme": pgettext_lazy("kind of object an import creates", "theme"),
}
#: A name the catalogue cannot use, by kind (one whole sentence each, so that every language can word it).
CATALOGUE_ERRORS: dict[str, dict[str, _StrPromise]] = {
    "source": {
        "ambiguous": gettext_lazy("“%(value)s” could be any of several sources (%(slugs)s): write the slug."),
        "unknown": gettext_lazy("“%(value)s” is not a known source (write its slug or name, or create missing ones)."),
        "no_slug": gettext_lazy("“%(value)s” is not a known source, and no slug can be made from it: add it first."),
        "slug_taken": gettext_lazy(
            "“%(value)s” is not a known source, and its slug “%(slug)s” is taken by “%(taken)s”: write “%(slug)s” "
            "if you mean that one."
        ),
        "too_long": gettext_lazy("“%(value)s…” is too long for a source's name (at most %(max)d)."),
    },
    "partner": {
        "ambiguous": gettext_lazy("“%(value)s” could be any of several partners (%(slugs)s): write the slug."),
        "unknown": gettext_lazy("“%(value)s” is not a known partner (write its slug or name, or create missing ones)."),
        "no_slug": gettext_lazy("“%(value)s” is not a known partner, and no slug can be made from it: add it first."),
        "slug_taken": gettext_lazy(
            "“%(value)s” is not a known partner, and its slug “%(slug)s” is taken by “%(taken)s”: write “%(slug)s” "
            "if you mean that one."
        ),
        "too_long": gettext_lazy("“%(value)s…” is too long for a partner's name (at most %(max)d)."),
    },
    "theme": {
        "ambiguous": gettext_lazy("“%(value)s” could be any of several themes (%(slugs)s): write the slug."),
        "unknown": gettext_lazy("“%(value)s” is not a known theme (write its slug or name, or create missing ones)."),
        "no_slug": gettext_lazy("“%(value)s” is not a known theme, and no slug can be made from it: add it first."),
        "slug_taken": gettext_lazy(
            "“%(value)s” is not a known theme, and its slug “%(slug)s” is taken by “%(taken)s”: write “%(slug)s” "
            "if you mean that one."
        ),
        "too_long": gettext_lazy("“%(value)s…” is too long for a theme's name (at most %(max)d)."),
    },
}
#: A cell that is not one of a choice's values, by what the choice is.
CHOICE_ERRORS: dict[str, _StrPromise] = {
    "partner role": gettext_lazy("“%(value)s” is not a partner role (use one of: %(allowed)s)."),
    "priority": gettext_lazy("“%(value)s” is not a priority (use one of: %(allowed)s)."),
    "status": gettext_lazy("“%(value)s” is not a status (use one of: %(allowed)s)."),
    "response": gettext_lazy("“%(value)s” is not a response (use one of: %(allowed)s)."),
}


def _column_error(name: str, error: object) -> str:
    """A row's problem with one column, as "column: reason" (the column's key stays as the file writes it)."""
    return f"{name}: {error}"


def _quoted_list(names: Iterable[str]) -> str:
    """Names as a list in quotes: “a”, “b”."""
    quoted = [pgettext("a name quoted in a list", "“%(name)s”") % {"name": name} for name in names]
    return pgettext("separates the items of a list", ", ").join(quoted)


@dataclass(frozen=True)
class NewObject:
    """A source, partner or theme the import will create (only with create_missing)."""

    kind: str  # "source", "partner" or "theme"
    slug: str
    name: str

    @property
    def data(self) -> dict[str, str]:
        """The fields to create it with, for source_create / partner_create / theme_create."""
        if self.kind == "source":
            return {"slug": self.slug, "title": self.name, "kind": SourceKind.REPORT}
        if self.kind == "partner":
            return {"slug": self.slug, "name": self.name, "kind": PartnerKind.COUNTRY}
        return {"slug": self.slug, "name": self.name}

    def __str__(self) -> str:
        return self.slug

    @property
    def kind_label(self) -> str:
        """The kind as the user reads it: source, partner or theme in the user's language."""
        return str(KIND_LABELS[self.kind])


@dataclass(frozen=True)
class FieldChange:
    """One field a row changes, as the user reads it (in the file's own notation)."""

    field: str
    old: str
    new: str


@dataclass
class RowPlan:
    """What the import does with one row of the file."""

    number: int
    reference: str
    action: Action
    changes: list[FieldChange] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: The recommendation a row updates (or leaves unchanged), and its version when planned.
    recommendation: Recommendation | None = None
    version: int | None = None
    #: Create: recommendation_create's arguments. Update: recommendation_update's data (only what changes).
    values: dict[str, Any] = field(default_factory=dict)

    def resolved(self, created: Mapping[NewObject, models.Model]) -> dict[str, Any]:
        """The row's values with every NewObject replaced by the object created for it."""

        def swap(value: Any) -> Any:
            return created[value] if isinstance(value, NewObject) else value

        values = dict(self.values)
        if "source" in values:
            values["source"] = swap(values["source"])
        if "partners" in values:
            values["partners"] = [(swap(partner), role) for partner, role in values["partners"]]
        if "themes" in values:
            values["themes"] = [swap(theme) for theme in values["themes"]]
        return values


@dataclass
class ImportPlan:
    """The whole file's plan: one RowPlan per row, and the sources, partners and themes to create first."""

    rows: list[RowPlan]
    new_objects: list[NewObject] = field(default_factory=list)
    row_label: str = "row"

    @property
    def row_heading(self) -> str:
        """What the preview's first column is called: Row (spreadsheets) or Item (JSON lists)."""
        if self.row_label == "item":
            return pgettext("an item of a JSON list, as a column heading", "Item")
        return pgettext("a row of a spreadsheet, as a column heading", "Row")

    def count(self, action: Action) -> int:
        """How many rows have this action."""
        return sum(1 for row in self.rows if row.action == action)

    @property
    def counts(self) -> dict[str, int]:
        """Rows per action, every action listed."""
        return {action.value: self.count(action) for action in Action}

    @property
    def has_errors(self) -> bool:
        """Whether any row cannot be imported (then nothing is)."""
        return any(row.action == Action.ERROR for row in self.rows)

    @property
    def error_rows(self) -> list[RowPlan]:
        """The rows with errors."""
        return [row for row in self.rows if row.action == Action.ERROR]

    def new_of(self, kind: str) -> list[NewObject]:
        """The objects of one kind (source, partner, theme) the import creates."""
        return [new for new in self.new_objects if new.kind == kind]

    @property
    def signature(self) -> str:
        """A digest of everything the plan would do and of the versions it saw: equal plans, equal signatures."""
        summary = {
            "rows": [
                [
                    row.number,
                    row.reference,
                    row.action.value,
                    str(row.recommendation.uuid) if row.recommendation else "",
                    row.version,
                    [[c.field, c.old, c.new] for c in row.changes],
                    row.errors,
                ]
                for row in self.rows
            ],
            "new": [[new.kind, new.slug, new.name] for new in self.new_objects],
        }
        return hashlib.sha256(json.dumps(summary, sort_keys=True).encode()).hexdigest()


def read_import_file(*, content: bytes, filename: str) -> Table:
    """Read an uploaded CSV, XLSX or JSON file of recommendations (TableFileError if it cannot be read)."""
    return table_read(content=content, filename=filename, json_key=JSON_KEY)


# --- Reading cells ----------------------------------------------------------------------------------------------


def column_name(heading: str) -> str:
    """A heading as a column name: "Target date" and "target-date" are target_date."""
    return re.sub(r"[\s\-]+", "_", heading.strip().lower())


@functools.cache
def _headings_by_label() -> dict[str, str]:
    """Every column's label in every interface language ("件名（日本語）", "Title (Japanese)"), as a heading
    reads it, → the column."""
    found: dict[str, str] = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for name, label in COLUMN_LABELS.items():
                found[column_name(unicodedata.normalize("NFKC", str(label)))] = name
    return found


def column_for(heading: str) -> str | None:
    """The column a heading names: its key (``title_ja``), a label in either language, or a legacy heading."""
    name = column_name(unicodedata.normalize("NFKC", heading))
    if name in COLUMNS:
        return name
    if name in LEGACY_COLUMNS:
        return LEGACY_COLUMNS[name]
    return _headings_by_label().get(name)


def normalise_text(value: str) -> str:
    """Text as compared and stored: Windows line ends as \\n, no whitespace at either end."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a spurious ".0", dates as YYYY-MM-DD, nothing as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "; ".join(cell_text(item) for item in value)
    return normalise_text(str(value))


def cell_items(value: Any) -> list[str]:
    """A cell holding several values: "a; b" (or a JSON list) as ["a", "b"], blanks dropped.

    In JSON a partner may also be an object: {"slug": "japan", "role": "addressee"}.
    """
    items = value if isinstance(value, list | tuple) else cell_text(value).split(ITEM_SEPARATOR)
    items = [_item_from_object(item) if isinstance(item, dict) else item for item in items]
    return [text for text in (cell_text(item) for item in items) if text]


def _item_from_object(item: Mapping[str, Any]) -> str:
    """A JSON {"slug" or "name", "role"} object in the cell notation "slug:role"."""
    name = cell_text(item.get("slug") or item.get("name"))
    role = cell_text(item.get("role"))
    return f"{name}{ROLE_SEPARATOR}{role}" if role else name


def cell_date(value: Any) -> date | None:
    """A target date from a date cell or YYYY-MM-DD text; None for an empty cell. ValueError otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    if not text:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("“%(value)s” is not a date: write it as YYYY-MM-DD.") % {"value": text})


def _choice(value: str, choices: type[models.TextChoices], what: str) -> str:
    """A choice from its value or its label, in any letter case ("In progress" and "in_progress" alike)."""
    wanted = column_name(value)
    for choice in choices:
        if wanted in (choice.value, column_name(str(choice.label))):
            return choice.value
    allowed = ", ".join(choices.values)  # the values as the file writes them, in any language
    raise ValueError(CHOICE_ERRORS[what] % {"value": value, "allowed": allowed})


def format_partners(assignments: Iterable[tuple[Partner | NewObject, str]]) -> list[str]:
    """Partners as the file writes them: ["japan:addressee", "jsdf"]."""
    return [f"{partner.slug}{ROLE_SEPARATOR}{role}" if role else partner.slug for partner, role in assignments]


def format_themes(themes: Iterable[Theme | NewObject]) -> list[str]:
    """Themes as the file writes them: their slugs."""
    return [theme.slug for theme in themes]


# --- Finding sources, partners and themes -------------------------------------------------------------------------


#: What a catalogue holds: sources, partners or themes.
_Named = TypeVar("_Named", bound=Source | Partner | Theme)


class _Catalogue(Generic[_Named]):
    """One kind of named object (sources, partners or themes), found by slug, name or short name.

    With ``create_missing`` a name that matches nothing becomes a NewObject, the same one for every row that uses it.
    """

    def __init__(
        self,
        kind: str,
        objects: models.QuerySet[_Named],
        keys: Sequence[Callable[[_Named], str]],
        *,
        create_missing: bool,
        name_field: str,
    ) -> None:
        self.kind = kind
        self.create_missing = create_missing
        self.name_max = field_max_length(objects.model, name_field)
        self.slug_max = field_max_length(objects.model, "slug")
        self.tiers: list[dict[str, list[_Named]]] = [defaultdict(list) for _key in keys]
        self.by_slug: dict[str, _Named] = {}
        for obj in objects:
            self.by_slug[obj.slug] = obj
            for tier, key in zip(self.tiers, keys, strict=True):
                text = key(obj)
                if text and obj not in tier[text.lower()]:
                    tier[text.lower()].append(obj)
        self.new: dict[str, NewObject] = {}

    def find(self, text: str) -> _Named | NewObject:
        """The object ``text`` names (slug first, then name, then short name); ValueError if none or several."""
        wanted = text.strip().lower()
        errors = CATALOGUE_ERRORS[self.kind]
        for tier in self.tiers:
            found = tier.get(wanted, [])
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                slugs = ", ".join(obj.slug for obj in found)
                raise ValueError(errors["ambiguous"] % {"value": text, "slugs": slugs})
        if not self.create_missing:
            raise ValueError(errors["unknown"] % {"value": text})
        slug = slugify(text)[: self.slug_max].strip("-")
        if not slug:
            raise ValueError(errors["no_slug"] % {"value": text})
        if slug in self.by_slug:
            taken = self.by_slug[slug]
            raise ValueError(errors["slug_taken"] % {"value": text, "slug": slug, "taken": taken})
        if len(text) > self.name_max:
            raise ValueError(errors["too_long"] % {"value": text[:40], "max": self.name_max})
        return self.new.setdefault(slug, NewObject(kind=self.kind, slug=slug, name=text.strip()))


@dataclass
class _Context:
    """What planning needs from the database, loaded once for the whole file."""

    sources: _Catalogue[Source]
    partners: _Catalogue[Partner]
    themes: _Catalogue[Theme]
    existing: dict[str, Recommendation]  # by lower-cased reference
    users: dict[str, User] = field(default_factory=dict)  # active users by user name
    agencies: dict[str, Partner] = field(default_factory=dict)  # partners of kind agency by slug

    def user(self, name: str) -> User | None:
        """The active user a lead cell names ("" for none)."""
        if not name:
            return None
        if name not in self.users:
            raise ValueError(_("“%(value)s” is not an active user's name.") % {"value": name})
        return self.users[name]

    def agency(self, slug: str) -> Partner | None:
        """The domestic agency an agency cell names by its slug ("" for none)."""
        if not slug:
            return None
        if slug not in self.agencies:
            raise ValueError(_("“%(value)s” is not the slug of a partner of kind domestic agency.") % {"value": slug})
        return self.agencies[slug]

    @classmethod
    def load(cls, references: Iterable[str], *, create_missing: bool) -> _Context:
        """Load every source, partner and theme, and the recommendations the file names (in five queries)."""
        existing = (
            Recommendation.objects.with_related()
            .annotate(reference_lower=Lower("reference"))
            .filter(reference_lower__in={reference.lower() for reference in references})
        )
        return cls(
            sources=_Catalogue(
                "source",
                Source.objects.all(),
                [lambda s: s.slug, lambda s: s.title, lambda s: s.short_title],
                create_missing=create_missing,
                name_field="title",
            ),
            partners=_Catalogue(
                "partner",
                Partner.objects.all(),
                [lambda p: p.slug, lambda p: p.name, lambda p: p.short_name],
                create_missing=create_missing,
                name_field="name",
            ),
            themes=_Catalogue(
                "theme",
                Theme.objects.all(),
                [lambda t: t.slug, lambda t: t.name],
                create_missing=create_missing,
                name_field="name",
            ),
            existing={rec.reference.lower(): rec for rec in existing},
            users={user.get_username(): user for user in User.objects.filter(is_active=True)},
            agencies={partner.slug: partner for partner in Partner.objects.filter(kind=PartnerKind.AGENCY)},
        )

    @property
    def new_objects(self) -> list[NewObject]:
        """Everything the plan creates, sources first (then partners and themes), each in order of appearance."""
        return [*self.sources.new.values(), *self.partners.new.values(), *self.themes.new.values()]


# --- Planning -----------------------------------------------------------------------------------------------------


def _columns(table: Table) -> dict[str, str]:
    """Map each column name to the file's heading; refuse unknown, repeated and missing required columns."""
    columns: dict[str, str] = {}
    unknown = []
    for heading in table.headings:
        name = column_for(heading)
        if name is None:
            unknown.append(heading)
        elif name in columns:
            raise TableFileError(_("The column “%(heading)s” appears twice.") % {"heading": heading})
        else:
            columns[name] = heading
    if unknown:
        raise TableFileError(
            _("Unknown column(s): %(unknown)s. The columns are: %(columns)s.")
            % {"unknown": _quoted_list(unknown), "columns": ", ".join(COLUMNS)}
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise TableFileError(_("Required column(s) missing: %(columns)s.") % {"columns": ", ".join(missing)})
    if not table.rows:
        raise TableFileError(_("The file has headings but no rows."))
    return columns


def _partner_assignments(value: Any, catalogue: _Catalogue[Partner]) -> list[tuple[Partner | NewObject, str]]:
    """Read a partners cell: "slug[:role]; ..." (or a JSON list of such strings)."""
    assignments: list[tuple[Partner | NewObject, str]] = []
    problems = []
    for item in cell_items(value):
        name, role = item, ""
        if ROLE_SEPARATOR in item:
            head, _separator, tail = item.rpartition(ROLE_SEPARATOR)
            try:
                role = _choice(tail.strip(), PartnerRole, "partner role")
                name = head.strip()
            except ValueError as error:
                try:  # a name that itself holds a colon
                    assignments.append((catalogue.find(item), ""))
                except ValueError:
                    problems.append(str(error))
                continue
        try:
            assignments.append((catalogue.find(name), role))
        except ValueError as error:
            problems.append(str(error))
    seen: set[str] = set()
    for partner, _role in assignments:
        if partner.slug in seen:
            problems.append(_("the partner “%(slug)s” is listed twice.") % {"slug": partner.slug})
        seen.add(partner.slug)
    if problems:
        raise ValueError(" ".join(problems))
    return assignments


def _theme_list(value: Any, catalogue: _Catalogue[Theme]) -> list[Theme | NewObject]:
    """Read a themes cell: "slug; name; ..." (duplicates dropped)."""
    themes: dict[str, Theme | NewObject] = {}
    problems = []
    for item in cell_items(value):
        try:
            theme = catalogue.find(item)
        except ValueError as error:
            problems.append(str(error))
        else:
            themes.setdefault(theme.slug, theme)
    if problems:
        raise ValueError(" ".join(problems))
    return list(themes.values())


def _read_row(
    raw: Mapping[str, Any], columns: Mapping[str, str], context: _Context
) -> tuple[dict[str, Any], list[str]]:
    """A row's values by column name, parsed and looked up, and the problems found (as "column: reason")."""
    values: dict[str, Any] = {}
    errors: list[str] = []
    for name, heading in columns.items():
        cell = raw.get(heading)
        try:
            if name == "source":
                text = cell_text(cell)
                values[name] = context.sources.find(text) if text else None
            elif name == "partners":
                values[name] = _partner_assignments(cell, context.partners)
            elif name == "themes":
                values[name] = _theme_list(cell, context.themes)
            elif name == "priority":
                text = cell_text(cell)
                values[name] = _choice(text, Priority, "priority") if text else None
            elif name == "status":
                text = cell_text(cell)
                values[name] = _choice(text, Status, "status") if text else None
            elif name == "response":
                text = cell_text(cell)
                values[name] = _choice(text, Response, "response") if text else None
            elif name in ("response_date", "review_date", "target_date"):
                values[name] = cell_date(cell)
            elif name == "lead":
                values[name] = context.user(cell_text(cell))
            elif name == "agency":
                values[name] = context.agency(cell_text(cell))
            elif isinstance(cell, list | dict):
                raise ValueError(_("expected text, found a list."))
            else:
                values[name] = cell_text(cell)
        except ValueError as error:
            errors.append(_column_error(name, error))
    for name in REQUIRED_VALUES:
        if name in values and not values[name] and not _has_error(errors, name):
            errors.append(_column_error(name, _("a recommendation needs one; this cell is empty.")))
    return values, errors


def _language_errors(after: Mapping[str, Any], in_file: Iterable[str]) -> list[str]:
    """A translated field the row leaves without a value in every language (``after``: its columns' values once
    the row is applied) is an error, on the first of its columns the file has."""
    errors = []
    given = set(in_file)
    for names in LANGUAGE_COLUMNS.values():
        columns = [name for name in names if name in given]
        if columns and not any(after.get(name) for name in names):
            if len(columns) == 1:
                message = _("a recommendation needs one; this cell is empty.")
            else:
                message = _("a recommendation needs one in at least one language; these cells are empty.")
            errors.append(_column_error(columns[0], message))
    return errors


def _column_rank(error: str) -> int:
    """Where the column an error is about stands among COLUMNS, so that a row's errors read left to right."""
    name = error.split(":", 1)[0]
    name = LANGUAGE_COLUMNS[name][0] if name in LANGUAGE_COLUMNS else name
    return COLUMNS.index(name) if name in COLUMNS else len(COLUMNS)


def _has_error(errors: Sequence[str], name: str) -> bool:
    """Whether one of a row's errors is about the column ``name``."""
    return any(error.startswith(f"{name}:") for error in errors)


def _display(name: str, value: Any) -> str:
    """A value as the preview shows it: in the file's notation."""
    if value is None:
        return ""
    if name in ("source", "agency"):
        return str(value.slug)
    if name == "lead":
        return str(value.get_username())
    if name == "partners":
        return "; ".join(format_partners(value))
    if name == "themes":
        return "; ".join(sorted(format_themes(value)))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _model_errors(instance: Recommendation, known: Sequence[str]) -> list[str]:
    """Field-level validation of a recommendation's plain fields (lengths, choices) without database queries.

    Fields that ``known`` (the row's errors so far) already complains about are not checked again.
    """
    exclude = ["source", "status", "uuid"]
    exclude += [name for name in COLUMNS if _has_error(known, name)]
    exclude += list(LANGUAGE_COLUMNS)  # "none in any language" is the row's own check (_language_errors)
    try:
        canonical_clean_fields(instance, exclude=exclude)
    except ValidationError as error:
        return [_column_error(name, " ".join(messages)) for name, messages in error.message_dict.items()]
    return []


def _plan_create(row: RowPlan, values: dict[str, Any]) -> None:
    """Fill in the plan of a row that creates a recommendation."""
    missing = [
        name
        for name in REQUIRED_VALUES
        if not any(column in values for column in LANGUAGE_COLUMNS.get(name, (name,)))
        and not any(_has_error(row.errors, column) for column in LANGUAGE_COLUMNS.get(name, (name,)))
    ]
    row.errors += [
        _column_error(name, _("a new recommendation needs one; the file has no such column.")) for name in missing
    ]
    status = values.get("status") or Status.PROPOSED
    kwargs: dict[str, Any] = {
        "reference": row.reference,
        **{name: values.get(name, "") for names in LANGUAGE_COLUMNS.values() for name in names},
        "source_excerpt": values.get("source_excerpt", ""),
        "section": values.get("section", ""),
        "source": values.get("source"),
        "partners": values.get("partners", []),
        "themes": values.get("themes", []),
        "priority": values.get("priority") or Priority.MEDIUM,
        "team": values.get("team", ""),
        "target_date": values.get("target_date"),
        "status": status,
        "status_note": values.get("status_note", ""),
        "response": values.get("response") or Response.NO_RESPONSE,
        "response_date": values.get("response_date"),
        "lead": values.get("lead"),
        "agency": values.get("agency"),
        "review_date": values.get("review_date"),
    }
    row.errors += _language_errors(kwargs, values)
    try:
        initial_response(status=kwargs["status"], response=kwargs["response"])
    except ValidationError as error:
        row.errors += [_column_error("response", message) for message in error.messages]
    plain = {k: v for k, v in kwargs.items() if k not in {"source", "partners", "themes", "status_note"}}
    row.errors += _model_errors(Recommendation(**plain), row.errors)
    row.values = kwargs
    for name in COLUMNS[1:]:
        if name == "status_note":
            continue
        shown = _display(name, kwargs[name])
        if shown:
            row.changes.append(FieldChange(field=name, old="", new=shown))


def _plan_update(row: RowPlan, values: dict[str, Any], current: Recommendation) -> None:
    """Fill in the plan of a row whose reference exists: only the fields that differ change."""
    row.recommendation, row.version = current, current.version
    data: dict[str, Any] = {}
    candidate = copy.copy(current)
    for name in TEXT_COLUMNS:
        if name in values and values[name] != normalise_text(getattr(current, name) or ""):
            data[name] = values[name]
            setattr(candidate, name, values[name])
    row.errors += _language_errors({name: getattr(candidate, name) for name in TEXT_COLUMNS}, values)
    if values.get("source") is not None and values["source"] != current.source:
        data["source"] = values["source"]
    if values.get("priority") and values["priority"] != current.priority:
        data["priority"] = candidate.priority = values["priority"]
    if "target_date" in values and values["target_date"] != current.target_date:
        data["target_date"] = candidate.target_date = values["target_date"]
    for name in ("lead", "agency", "review_date"):
        if name in values and values[name] != getattr(current, name):
            data[name] = values[name]
    current_partners = [(link.partner, link.role) for link in current.partner_links.all()]
    if "partners" in values and {(p.slug, r) for p, r in values["partners"]} != {
        (p.slug, r) for p, r in current_partners
    }:
        data["partners"] = values["partners"]
    current_themes = list(current.themes.all())
    if "themes" in values and {t.slug for t in values["themes"]} != {t.slug for t in current_themes}:
        data["themes"] = values["themes"]
    new_status = values.get("status")
    new_response = values.get("response")
    changes_status = bool(new_status and new_status != current.status)
    changes_response = bool(new_response and new_response != current.response)
    if changes_status or changes_response:
        note = values.get("status_note", "")
        try:
            moves = coupled_moves(
                recommendation=current,
                to_status=new_status if changes_status else None,
                to_response=new_response if changes_response else None,
            )
            if moves.to_status is not None:
                validate_status_transition(from_status=current.status, to_status=moves.to_status, note=note)
        except ValidationError as error:
            column = "status" if changes_status else "response"
            row.errors += [_column_error(column, message) for message in error.messages]
        if changes_status:
            data["status"] = new_status
        if changes_response:
            data["response"] = new_response
            if values.get("response_date"):
                data["response_date"] = values["response_date"]
        if note:
            data["status_note"] = note
    row.errors += _model_errors(candidate, row.errors)
    old = {
        "source": current.source,
        "partners": current_partners,
        "themes": current_themes,
        "status": current.status,
        "response": current.response,
        "response_date": current.response_date,
        **{name: getattr(current, name) or "" for name in TEXT_COLUMNS},
        **{name: getattr(current, name) for name in ("priority", "target_date", "lead", "agency", "review_date")},
    }
    row.changes = [
        FieldChange(field=name, old=_display(name, old[name]), new=_display(name, data[name]))
        for name in COLUMNS
        if name in data and name != "status_note"
    ]
    row.values = data


def import_plan(*, table: Table, create_missing: bool = False) -> ImportPlan:
    """Say, row by row, what importing ``table`` would do; write nothing.

    Raises TableFileError if the columns are wrong (unknown, repeated or missing required ones) or there are no rows.
    """
    columns = _columns(table)
    heading = columns["reference"]
    references = [cell_text(raw.get(heading)) for _number, raw in table.rows]
    context = _Context.load([r for r in references if r], create_missing=create_missing)
    rows_by_reference: dict[str, list[int]] = defaultdict(list)
    for (number, _raw), reference in zip(table.rows, references, strict=True):
        if reference:
            rows_by_reference[reference.lower()].append(number)

    plans = []
    for (number, raw), reference in zip(table.rows, references, strict=True):
        row = RowPlan(number=number, reference=reference, action=Action.ERROR)
        values, row.errors = _read_row(raw, columns, context)
        current = context.existing.get(reference.lower()) if reference else None
        if not reference:
            row.errors.insert(0, _column_error("reference", _("every row needs one; this cell is empty.")))
        elif len(rows_by_reference[reference.lower()]) > 1:
            joiner = pgettext("joins row numbers: rows 2 and 3", " and ")
            numbers = joiner.join(str(n) for n in rows_by_reference[reference.lower()])
            if table.row_label == "item":
                repeated = _("“%(reference)s” is in items %(numbers)s; each may appear once.")
            else:
                repeated = _("“%(reference)s” is in rows %(numbers)s; each may appear once.")
            row.errors.insert(0, _column_error("reference", repeated % {"reference": reference, "numbers": numbers}))
        elif current is not None and current.reference != reference:
            message = _("“%(reference)s” differs only in letter case from “%(current)s”: write it exactly.") % {
                "reference": reference,
                "current": current.reference,
            }
            row.errors.insert(0, _column_error("reference", message))
        elif current is None:
            _plan_create(row, values)
        else:
            _plan_update(row, values, current)
        if row.errors:
            row.errors.sort(key=_column_rank)
            row.action, row.values, row.changes = Action.ERROR, {}, []
        elif current is None:
            row.action = Action.CREATE
        else:
            row.action = Action.UPDATE if row.values else Action.UNCHANGED
        plans.append(row)

    used = {
        value.slug
        for row in plans
        if row.action != Action.ERROR
        for value in _new_objects_in(row.values)
        if isinstance(value, NewObject)
    }
    return ImportPlan(
        rows=plans,
        new_objects=[new for new in context.new_objects if new.slug in used],
        row_label=table.row_label,
    )


def _new_objects_in(values: Mapping[str, Any]) -> list[Any]:
    """Every source, partner and theme a row's values refer to."""
    found = [values.get("source")]
    found += [partner for partner, _role in values.get("partners", [])]
    found += list(values.get("themes", []))
    return found


# --- Showing a plan -----------------------------------------------------------------------------------------------


def _short(text: str) -> str:
    """A value cut to the preview's width."""
    text = text.replace("\n", " ")
    return text if len(text) <= PREVIEW_WIDTH else text[: PREVIEW_WIDTH - 1] + "…"


#: The line that heads a row's block in the text preview, for spreadsheet rows and JSON items.
ROW_LINES = {
    "row": gettext_lazy("Row %(number)s: %(reference)s: %(action)s"),
    "item": gettext_lazy("Item %(number)s: %(reference)s: %(action)s"),
}
#: The line of a source, partner or theme the import creates, by kind.
NEW_OBJECT_LINES = {
    "source": gettext_lazy("New source: %(slug)s (“%(name)s”)"),
    "partner": gettext_lazy("New partner: %(slug)s (“%(name)s”)"),
    "theme": gettext_lazy("New theme: %(slug)s (“%(name)s”)"),
}


def plan_as_text(plan: ImportPlan) -> str:
    """The preview as plain text: one block per row, then what is created, then the counts."""
    lines = []
    heading = ROW_LINES["item" if plan.row_label == "item" else "row"]
    empty = _("(empty)")
    for row in plan.rows:
        reference = row.reference or _("(no reference)")
        lines.append(heading % {"number": row.number, "reference": reference, "action": row.action.label})
        for change in row.changes:
            if row.action == Action.CREATE:
                lines.append(f"    {change.field}: {_short(change.new)}")
            else:
                lines.append(f"    {change.field}: {_short(change.old) or empty} → {_short(change.new) or empty}")
        lines += ["    " + _("error: %(error)s") % {"error": error} for error in row.errors]
    for kind in ("source", "partner", "theme"):
        for new in plan.new_of(kind):
            lines.append(NEW_OBJECT_LINES[kind] % {"slug": new.slug, "name": new.name})
    lines.append(plan_summary(plan))
    return "\n".join(lines)


def plan_summary(plan: ImportPlan) -> str:
    """One line: how many rows are created, updated, unchanged and in error."""
    counts = plan.counts
    parts = [
        ngettext("%(count)d to create", "%(count)d to create", counts["create"]) % {"count": counts["create"]},
        ngettext("%(count)d to update", "%(count)d to update", counts["update"]) % {"count": counts["update"]},
        ngettext("%(count)d unchanged", "%(count)d unchanged", counts["unchanged"]) % {"count": counts["unchanged"]},
        ngettext("%(count)d with errors", "%(count)d with errors", counts["error"]) % {"count": counts["error"]},
    ]
    return pgettext("separates the items of a list", ", ").join(parts) + pgettext("ends a sentence", ".")
