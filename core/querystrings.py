"""Query strings of the web pages: a page's address holds its whole view, so links are built from the request's."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect, QueryDict


def query_string(params: QueryDict, **replace: list[str] | str | None) -> str:
    """``params`` as a query string ("?..." or ""), with some keys replaced (None removes them) and no page."""
    query = params.copy()
    query.pop("page", None)
    for key, value in replace.items():
        if value is None:
            query.pop(key, None)
        else:
            query.setlist(key, [value] if isinstance(value, str) else list(value))
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else ""


def redirect_without_empty(request: HttpRequest) -> HttpResponseRedirect | None:
    """A redirect to the same URL without empty parameters (a submitted filter form sends every field), or None."""
    if not any("" in values for _key, values in request.GET.lists()):
        return None
    query = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        kept = [value for value in values if value != ""]
        if kept:
            query.setlist(key, kept)
    encoded = query.urlencode()
    return HttpResponseRedirect(request.path + (f"?{encoded}" if encoded else ""))


def attachment(name: str) -> str:
    """A Content-Disposition value that downloads as ``name``."""
    return f'attachment; filename="{name}"'
