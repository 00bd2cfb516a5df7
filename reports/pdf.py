"""PDF made on the server with WeasyPrint (on Debian's Pango; Japanese from the Noto Sans CJK JP fonts).

The document is the report's page as printed (its ``@media print`` rules) with the PDF's margin boxes. WeasyPrint
fetches nothing from the network: the only resources it may read are the project's static files (the stylesheet,
the icon), read from disk; every other address is refused, so a page can never make the server fetch a URL.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage

PDF_TYPE = "application/pdf"


def static_file(url: str) -> Path | None:
    """The file on disk behind a static file's URL (collected, hashed names included; else found in the apps)."""
    path = unquote(urlsplit(url).path)
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    if not path.startswith(prefix) or ".." in path:
        return None
    name = path.removeprefix(prefix)
    collected = Path(settings.STATIC_ROOT) / name
    if collected.is_file():
        return collected
    found = finders.find(name)
    if isinstance(found, str) and Path(found).is_file():
        return Path(found)
    try:
        stored = Path(staticfiles_storage.path(name))
    except NotImplementedError:  # pragma: no cover - a storage without local files
        return None
    return stored if stored.is_file() else None


def html_to_pdf(html: str, *, base_url: str) -> bytes:
    """An HTML document as PDF bytes; its static files read from disk, nothing else fetched."""
    from weasyprint import HTML  # deferred: Pango is loaded only by the processes that make PDFs
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):  # type: ignore[misc]
        """Serves the project's static files from disk; refuses every other URL."""

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
            """The static file at ``url``, or an error (WeasyPrint then leaves the resource out)."""
            found = static_file(url)
            if found is None:
                raise ValueError(f"not fetched: {url}")
            mime = "image/svg+xml" if found.suffix == ".svg" else "text/css" if found.suffix == ".css" else ""
            return URLFetcherResponse(url, body=found.read_bytes(), headers={"Content-Type": mime} if mime else {})

    pdf: bytes = HTML(string=html, base_url=base_url, url_fetcher=StaticOnly()).write_pdf()
    return pdf
