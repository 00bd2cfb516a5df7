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


def test_a_word_file_that_unpacks_to_too_much_is_refused_before_it_is_read(monkeypatch):
    """A small zip whose parts inflate to gigabytes (a "zip bomb") is refused from its directory, never inflated."""
    import zipfile

    from proposals import extraction

    monkeypatch.setattr(extraction, "MAX_UNZIPPED_BYTES", 1024 * 1024)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document>" + b" " * (2 * 1024 * 1024) + b"</w:document>")
    with pytest.raises(DocumentError, match="unpacks to more than 1 MB"):
        extract_document(content=buffer.getvalue(), filename="bomb.docx")


def test_a_pdf_the_parser_chokes_on_is_a_clear_error(monkeypatch):
    """Whatever a hostile PDF makes the parser raise, the answer is a DocumentError (a form error), never a 500."""
    import pypdf

    def broken(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(pypdf, "PdfReader", broken)
    with pytest.raises(DocumentError, match="RecursionError"):
        extract_document(content=b"%PDF-1.7\n%%EOF\n", filename="deep.pdf")
