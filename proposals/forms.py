"""The proposer's upload form: the document and the source its recommendations come from."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import field_max_length
from recommendations.models import Source

from .extraction import MAX_DOCUMENT_BYTES, Document, DocumentError, extract_document


class ProposeForm(forms.Form):
    """A document (PDF, DOCX, HTML or text) and its source: an existing one, or the title of a new one."""

    file = forms.FileField(
        label=gettext_lazy("Document"),
        help_text=gettext_lazy("PDF, Word (.docx), web page (.html) or plain text (.txt), in English or Japanese."),
    )
    source = forms.ModelChoiceField(
        queryset=Source.objects.order_by("slug"),
        required=False,
        to_field_name="slug",
        label=gettext_lazy("Existing source"),
        help_text=gettext_lazy("The source the document is, if it is already tracked."),
    )
    new_source = forms.CharField(
        label=gettext_lazy("Or a new source's title"),
        required=False,
        max_length=field_max_length(Source, "title"),
        help_text=gettext_lazy(
            "The import creates it when you confirm (as a report; complete it in the admin afterwards)."
        ),
    )

    document: Document

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned is None:  # never: Form.clean returns cleaned_data
            cleaned = self.cleaned_data
        if not cleaned.get("source") and not (cleaned.get("new_source") or "").strip():
            raise ValidationError(_("Choose the source, or give a new source's title."), code="no_source")
        if cleaned.get("source") and (cleaned.get("new_source") or "").strip():
            raise ValidationError(_("Choose an existing source or give a new one, not both."), code="two_sources")
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        if upload.size > MAX_DOCUMENT_BYTES:
            raise ValidationError(
                _("The document is larger than %(mb)d MB.") % {"mb": MAX_DOCUMENT_BYTES // (1024 * 1024)},
                code="too_large",
            )
        try:
            self.document = extract_document(content=upload.read(), filename=upload.name)
        except DocumentError as error:
            raise ValidationError(str(error), code="unreadable") from error
        return cleaned
