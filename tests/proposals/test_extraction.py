"""Reading documents: PDF, DOCX, HTML and plain text, with their headings as sections; bad files are clear errors."""

import io

import docx
import pytest

from proposals.extraction import DocumentError, extract_document, looks_like_heading


def test_plain_text_headings_and_paragraphs():
    text = "1. Introduction\n\nJapan should act.\nIt must act now.\n\n第1章　はじめに\n\n日本は対応すべきである。\n"
    document = extract_document(content=text.encode(), filename="report.txt")
    assert [(b.text, b.heading) for b in document.blocks] == [
        ("1. Introduction", True),
        ("Japan should act. It must act now.", False),
        ("第1章　はじめに", True),
        ("日本は対応すべきである。", False),
    ]
    for block in document.blocks:
        assert document.text[block.start : block.start + len(block.text)] == block.text


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("I. Overview", True),
        ("第2章 現状", True),
        ("• Australia", True),
        ("Japan should act.", False),
        ("日本は対応すべきである。", False),
        ("a lower-case continuation", False),
    ],
)
def test_heading_lines(line, heading):
    assert looks_like_heading(line) is heading


def test_shift_jis_text():
    document = extract_document(content="日本は対応すべきである。".encode("cp932"), filename="a.txt")
    assert document.text == "日本は対応すべきである。"
    assert document.language == "ja"


def test_docx_keeps_heading_styles_as_sections():
    made = docx.Document()
    made.add_heading("Maritime security", level=1)
    made.add_paragraph("Japan should expand coast guard cooperation with the Philippines.")
    buffer = io.BytesIO()
    made.save(buffer)
    document = extract_document(content=buffer.getvalue(), filename="report.docx")
    assert [(b.text, b.heading) for b in document.blocks] == [
        ("Maritime security", True),
        ("Japan should expand coast guard cooperation with the Philippines.", False),
    ]


def test_html_headings_and_no_scripts_or_navigation():
    page = b"""<html><head><style>p{}</style><script>var should = 1;</script></head><body>
    <nav><p>Home should be here</p></nav>
    <h2>Cyber</h2><p>Japan <b>must</b> adopt active cyber defence.</p></body></html>"""
    document = extract_document(content=page, filename="page.html")
    assert [(b.text, b.heading) for b in document.blocks] == [
        ("Cyber", True),
        ("Japan must adopt active cyber defence.", False),
    ]


def test_pdf_text():
    weasyprint = pytest.importorskip("weasyprint")
    pdf = weasyprint.HTML(string="<h1>Taiwan</h1><p>Japan should prepare for contingencies.</p>").write_pdf()
    document = extract_document(content=pdf, filename="report.pdf")
    assert "Japan should prepare for contingencies." in document.text


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"x", "table.xls"), (b"not a pdf", "a.pdf"), (b"not a zip", "a.docx"), (b"   ", "a.txt")],
)
def test_unreadable_documents_are_errors(content, name):
    with pytest.raises(DocumentError):
        extract_document(content=content, filename=name)
