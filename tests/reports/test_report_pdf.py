"""The progress report as a server-made PDF: a real PDF, one or two A4 pages for the shipped bundle, with its filters,
date and page numbers, Japanese glyphs embedded when asked in Japanese; invalid filters are the report's 400 page."""

import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from reports.pdf import static_file

pytestmark = pytest.mark.django_db

PDF = "/reports/progress.pdf"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def pdf_of(response) -> PdfReader:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    return PdfReader(io.BytesIO(response.content))


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_unfiltered_report_of_the_bundle_is_at_most_two_pages_with_date_and_page_numbers(
    manager_client, commentary
):
    response = manager_client.get(PDF)
    reader = pdf_of(response)
    assert 1 <= len(reader.pages) <= 2
    text = text_of(reader)
    assert "Progress report — All recommendations." in text  # the header: title and filters
    assert f"{timezone.localdate().year}" in text and "Printed from the tracker on" in text  # the footer's date
    assert f"1 / {len(reader.pages)}" in text  # page numbers
    assert "Total" in text  # the monthly and partner tables' Total column is there, not cut off
    assert response["Content-Disposition"] == f'attachment; filename="progress-report-{timezone.localdate()}.pdf"'


def test_a_filtered_report_names_its_filters_in_the_pdf_and_its_file_name(manager_client, commentary):
    reader = pdf_of(response := manager_client.get(PDF + "?partner=india&status=proposed"))
    assert len(reader.pages) <= 2
    text = text_of(reader)
    assert "Filtered by: Status: Proposed; Partner: India." in text
    assert "progress-report-status-proposed-partner-india-" in response["Content-Disposition"]


def test_in_japanese_the_pdf_has_the_japanese_title_and_glyphs(manager_client, commentary):
    response = manager_client.get(PDF, HTTP_ACCEPT_LANGUAGE="ja")
    reader = pdf_of(response)
    assert len(reader.pages) <= 2
    text = text_of(reader)
    assert len(JAPANESE.findall(text)) > 50, text[:500]  # extractable, so the glyphs are embedded with their mapping
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in (page["/Resources"].get("/Font") or {}).values()
        if "/BaseFont" in font.get_object()
    }
    assert any("Noto-Sans-CJK-JP" in font for font in fonts), fonts  # the stack picks Noto Sans CJK JP


def test_invalid_filters_give_the_reports_400_page_not_a_pdf(manager_client):
    response = manager_client.get(PDF + "?status=nonsense")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert not response.content.startswith(b"%PDF")


def test_the_pdf_reads_only_static_files_from_disk():
    assert static_file("http://testserver/static/core/tracker.css") is not None
    for url in ("http://169.254.169.254/latest/meta-data/", "file:///etc/passwd", "http://x/static/../settings.py"):
        assert static_file(url) is None


def test_the_report_page_offers_the_pdf_with_its_filters(manager_client, commentary):
    page = manager_client.get("/reports/progress/?partner=india").content.decode()
    assert 'href="/reports/progress.pdf?partner=india"' in page


def test_the_comparison_as_a_pdf_in_either_language(manager_client, commentary):
    today = timezone.localdate()
    url = f"/reports/compare.pdf?from={today}&to={today}&partner=india"
    reader = pdf_of(response := manager_client.get(url))
    text = text_of(reader)
    assert "Compare two dates — Filtered by: Partner: India." in text  # the header: title and filters
    assert "Counts by status" in text and "Printed from the tracker on" in text and f"1 / {len(reader.pages)}" in text
    assert response["Content-Disposition"] == (
        f'attachment; filename="status-comparison-partner-india-{today}-{today}.pdf"'
    )
    japanese = text_of(pdf_of(manager_client.get(url, HTTP_ACCEPT_LANGUAGE="ja")))
    assert "2 つの日付を比較" in japanese and len(JAPANESE.findall(japanese)) > 20
    page = manager_client.get(f"/reports/compare/?from={today}&to={today}&partner=india").content.decode()
    assert f'href="/reports/compare.pdf?from={today}&amp;to={today}&amp;partner=india"' in page
    bad = manager_client.get("/reports/compare.pdf?from=2999-01-01&to=2999-01-02")
    assert bad.status_code == 400 and bad["Content-Type"].startswith("text/html")
