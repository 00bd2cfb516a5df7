"""The import's upload form: the file, whether to create missing objects, and its plan once read."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.spreadsheets import MAX_FILE_BYTES, MAX_ROWS, Table, TableFileError

from .importing import ImportPlan, import_plan, read_import_file


def _file_help() -> str:
    """The file field's help, in the language of the request that shows it (not the one of the first import)."""
    return _("CSV (UTF-8), XLSX or JSON; at most %(mb)d MB and %(rows)d rows.") % {
        "mb": MAX_FILE_BYTES // (1024 * 1024),
        "rows": MAX_ROWS,
    }


class ImportForm(forms.Form):
    """The upload: a file and whether to create unknown sources, partners and themes."""

    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=lazy(_file_help, str)(),
    )
    create_missing = forms.BooleanField(
        label=gettext_lazy("Create missing sources, partners and themes"),
        required=False,
        help_text=gettext_lazy(
            "Off: a name that matches nothing is an error in its row. On: it is created (partners as countries, "
            "sources as reports; complete them afterwards)."
        ),
    )

    content: bytes
    table: Table
    plan: ImportPlan

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned is None:  # never: Form.clean returns cleaned_data
            cleaned = self.cleaned_data
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)}, code="too_large"
            )
        self.content = upload.read()
        try:
            self.table = read_import_file(content=self.content, filename=upload.name)
            self.plan = import_plan(table=self.table, create_missing=cleaned.get("create_missing", False))
        except TableFileError as error:
            raise ValidationError(str(error), code="unreadable") from error
        return cleaned
