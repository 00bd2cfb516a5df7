"""The text of a document, in sections: PDF (pypdf), DOCX (python-docx), HTML (lxml) or plain text.

Every format comes out the same way: a list of blocks, each a heading or a paragraph, and the document's text is
those blocks joined by blank lines (``Document.text``). Excerpts are substrings of that text, so what the proposer
quotes is exactly what was read. Nothing here reaches the network.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import PurePath

from django.utils.translation import gettext as _

#: The formats read, by file name extension.
FORMATS = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".txt": "text",
    ".text": "text",
    ".md": "text",
}
#: The largest document read (bytes).
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
#: A heading is at most this long.
HEADING_MAX = 120
#: The most a Word file may hold once unzipped, and the most pages of a PDF read: a small file must not be able to
#: make the server inflate gigabytes or parse for minutes (a "zip bomb", a PDF of endless pages).
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_PDF_PAGES = 2000
#: Lines that look like headings: numbered ("1.", "2.3", "I.", "IV."), Japanese chapters ("第1章", "第二節"),
#: bullets ("• Australia"), or bracketed numbers ("(1)", "（一）").
_NUMBERED = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?|[IVXLC]+\.|第[0-9０-９一二三四五六七八九十百]+[章節部款項]|[(（][0-9０-９一二三四五六七八九十]+[)）]|[•・■◆●▪-])\s*"
)
#: A bulleted line ("• Australia"): a heading even with no blank line before it, when it looks like one.
_BULLET = re.compile(r"^[•・■◆●▪]\s*")
#: A paragraph line ends like a sentence.
_SENTENCE_END = re.compile(r"[.!?。！？:：;；,、]['\"”’」』）)]*$")


class DocumentError(Exception):
    """The file cannot be read as a document (unknown format, damaged, empty)."""


@dataclass
class Block:
    """A heading or a paragraph of a document."""

    text: str
    heading: bool = False
    #: Where the block starts in ``Document.text``.
    start: int = 0


@dataclass
class Document:
    """A document's blocks and its text (the blocks joined by blank lines)."""

    blocks: list[Block] = field(default_factory=list)
    text: str = ""

    @classmethod
    def from_blocks(cls, blocks: list[tuple[str, bool]]) -> Document:
        """A document from (text, is heading) pairs; blank ones are dropped, offsets computed."""
        document = cls()
        parts: list[str] = []
        offset = 0
        for text, heading in blocks:
            text = text.strip()
            if not text:
                continue
            document.blocks.append(Block(text=text, heading=heading, start=offset))
            parts.append(text)
            offset += len(text) + 2
        document.text = "\n\n".join(parts)
        return document

    @property
    def language(self) -> str:
        """ "ja" when Japanese script is a large part of the letters, else "en"."""
        japanese = len(re.findall(r"[\u3040-\u30ff\u4e00-\u9fff]", self.text))
        latin = len(re.findall(r"[A-Za-z]", self.text))
        return "ja" if japanese * 3 >= latin else "en"


def document_format(filename: str) -> str | None:
    """The format a file name says, or None."""
    return FORMATS.get(PurePath(filename).suffix.lower())


def looks_like_heading(line: str) -> bool:
    """A short line that does not end like a sentence, or a numbered one ("1.", "I.", "第1章")."""
    line = line.strip()
    if not line or len(line) > HEADING_MAX:
        return False
    if _NUMBERED.match(line) and len(line) <= HEADING_MAX and not re.search(r"[。.!?！？]$", line):
        return True
    return not _SENTENCE_END.search(line) and not line[0].islower()


def _strip_marker(line: str) -> str:
    """A heading without its bullet (numbers stay: they are part of the heading)."""
    return re.sub(r"^[•・■◆●▪]\s*", "", line.strip())


def _joined(lines: list[str]) -> str:
    """Wrapped lines of one paragraph as one line: a space between Latin words, nothing between Japanese ones."""
    text = ""
    for line in lines:
        if text and not (
            re.search(r"[\u3000-\u30ff\u4e00-\u9fff]$", text) and re.match(r"[\u3000-\u30ff\u4e00-\u9fff]", line)
        ):
            text += " "
        text += line
    return text


def text_blocks(text: str) -> list[tuple[str, bool]]:
    """Plain text as blocks: heading-like lines on their own, other lines joined into paragraphs at blank lines."""
    blocks: list[tuple[str, bool]] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append((_joined(paragraph), False))
            paragraph.clear()

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            flush()
        elif _BULLET.match(line) and looks_like_heading(line):
            flush()
            blocks.append((_strip_marker(line), True))
        elif not paragraph and looks_like_heading(line):
            blocks.append((_strip_marker(line), True))
        else:
            paragraph.append(line)
    flush()
    return blocks


def _decode(content: bytes) -> str:
    """Text bytes as UTF-8 (with or without BOM), UTF-16 with BOM, or Shift_JIS as Japanese offices still write."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DocumentError(_("The text file is neither UTF-8 nor Shift_JIS."))


def _pdf_blocks(content: bytes) -> list[tuple[str, bool]]:
    """A PDF's text page by page, cut into blocks like plain text."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(content))
        if len(reader.pages) > MAX_PDF_PAGES:
            raise DocumentError(_("The PDF has more than %(count)d pages.") % {"count": MAX_PDF_PAGES})
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise DocumentError(_("The PDF cannot be read: %(error)s") % {"error": error}) from error
    except Exception as error:  # a hostile or broken file can fail anywhere inside the parser: never a 500
        raise DocumentError(_("The PDF cannot be read: %(error)s") % {"error": type(error).__name__}) from error
    return text_blocks("\n\n".join(pages))


def _docx_blocks(content: bytes) -> list[tuple[str, bool]]:
    """A Word file's paragraphs; those in a heading or title style are headings."""
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(member.file_size for member in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise DocumentError(
                    _("The Word file unpacks to more than %(mb)d MB.") % {"mb": MAX_UNZIPPED_BYTES // (1024 * 1024)}
                )
        document = docx.Document(io.BytesIO(content))
    except DocumentError:
        raise
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise DocumentError(_("The Word file cannot be read: %(error)s") % {"error": error}) from error
    except Exception as error:  # a hostile or broken file can fail anywhere inside the parser: never a 500
        raise DocumentError(_("The Word file cannot be read: %(error)s") % {"error": type(error).__name__}) from error
    blocks = []
    for paragraph in document.paragraphs:
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        heading = style.lower().startswith(("heading", "title")) or style.startswith(("見出し", "表題"))
        blocks.append((paragraph.text, heading))
    return blocks


#: HTML elements whose text is not the document's.
_SKIPPED_TAGS = ("script", "style", "nav", "noscript", "template", "header", "footer", "aside", "form")
#: HTML elements that hold a paragraph's text.
_TEXT_TAGS = ("p", "li", "blockquote", "dd", "dt", "td", "th", "pre", "figcaption")


def _html_blocks(content: bytes) -> list[tuple[str, bool]]:
    """h1–h6 as headings and paragraph-like elements as paragraphs; scripts, styles and navigation dropped."""
    import lxml.etree
    import lxml.html

    try:
        root = lxml.html.document_fromstring(content)
    except (lxml.etree.ParserError, ValueError) as error:
        raise DocumentError(_("The web page cannot be read: %(error)s") % {"error": error}) from error
    except Exception as error:  # a hostile or broken file can fail anywhere inside the parser: never a 500
        raise DocumentError(_("The web page cannot be read: %(error)s") % {"error": type(error).__name__}) from error
    for element in root.iter(*_SKIPPED_TAGS):
        element.drop_tree()
    blocks: list[tuple[str, bool]] = []
    headings = {f"h{level}" for level in range(1, 7)}
    for element in root.iter(*headings, *_TEXT_TAGS):
        if any(ancestor.tag in _TEXT_TAGS or ancestor.tag in headings for ancestor in element.iterancestors()):
            continue  # its text is in the enclosing block
        text = re.sub(r"\s+", " ", element.text_content()).strip()
        blocks.append((text, element.tag in headings))
    if not blocks:  # a page of bare text in divs
        return text_blocks(root.text_content())
    return blocks


def extract_document(*, content: bytes, filename: str) -> Document:
    """The document in a file, by its extension: PDF, DOCX, HTML or plain text."""
    fmt = document_format(filename)
    if fmt is None:
        raise DocumentError(
            _("“%(name)s” is not a document this reads (PDF, DOCX, HTML or plain text).") % {"name": filename}
        )
    if len(content) > MAX_DOCUMENT_BYTES:
        raise DocumentError(_("The document is larger than %(mb)d MB.") % {"mb": MAX_DOCUMENT_BYTES // (1024 * 1024)})
    if fmt == "pdf":
        blocks = _pdf_blocks(content)
    elif fmt == "docx":
        blocks = _docx_blocks(content)
    elif fmt == "html":
        blocks = _html_blocks(content)
    else:
        blocks = text_blocks(_decode(content))
    document = Document.from_blocks(blocks)
    if not document.text:
        raise DocumentError(_("No text was found in “%(name)s”.") % {"name": filename})
    return document
