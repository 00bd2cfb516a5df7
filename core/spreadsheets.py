"""Reading and writing tables of rows as CSV, XLSX and JSON: the one reader and the one writer of every file.

Nothing here knows what the rows are: a file becomes a :class:`Table` (headings, and rows numbered as the user
sees them) or headings and rows become a file. Every way a file can be unreadable raises :class:`TableFileError` with
a message meant for the person who uploaded it. Every export goes through :func:`needs_formula_guard`, the one
defence against cells that a spreadsheet program would run as a formula.
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
import xml.etree.ElementTree as ElementTree
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import openpyxl
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

#: Largest file accepted (bytes).
MAX_FILE_BYTES = 5 * 1024 * 1024
#: Most rows accepted in one file after the heading, blank rows included.
MAX_ROWS = 1000
#: Most columns accepted (a sheet padded to thousands of columns is refused before it is read).
MAX_COLUMNS = 100
#: Most bytes all the members of an XLSX file may unpack to, and one member (a 5 MB workbook of text unpacks to
#: about 30 MB; a "zip bomb" declares, or secretly holds, far more).
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
#: Most members an XLSX file may hold.
MAX_MEMBERS = 500
#: The formats we read and write, by file extension.
FORMATS = ("csv", "xlsx", "json")
#: HTTP content type of each format.
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
#: Characters that make a spreadsheet program read a cell as a formula when they start it: the ASCII ones (OWASP, CSV
#: injection), their full-width forms (which Japanese-locale spreadsheets also treat as formulas), and the apostrophe
#: that the guard itself adds (so that a value starting with one round-trips).
FORMULA_STARTS = frozenset("=+-@\t\r\n'＝＋－＠")
#: Leading characters a spreadsheet may skip before it looks for a formula: spaces of every width.
_SKIPPABLE = " \u00a0\u3000"
#: How several values share one cell (partners, themes) in CSV and XLSX.
LIST_SEPARATOR = "; "


class TableFileError(Exception):
    """The file cannot be read as a table (wrong format or encoding, too large, no heading, ...)."""


@dataclass
class Table:
    """A file's rows as {heading: raw value}, each with the row number the user sees (CSV/XLSX: heading is row 1)."""

    format: str
    headings: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    @property
    def row_label(self) -> str:
        """What a row is called in messages: a row of a spreadsheet, an item of a JSON list."""
        return "item" if self.format == "json" else "row"


def format_from_name(filename: str) -> str | None:
    """The format a file name's extension names (csv, xlsx or json), or None."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return suffix if suffix in FORMATS else None


def _sniff_format(content: bytes) -> str:
    """Guess the format of a file whose name says nothing: zip means XLSX, a bracket means JSON, else CSV."""
    if content.startswith(b"PK\x03\x04"):
        return "xlsx"
    if content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{"):
        return "json"
    return "csv"


def needs_formula_guard(text: str) -> bool:
    """Whether a spreadsheet program could read ``text`` as a formula (after skipping leading spaces)."""
    stripped = text.lstrip(_SKIPPABLE)
    return bool(stripped) and stripped[0] in FORMULA_STARTS


def table_read(*, content: bytes, filename: str, json_key: str = "rows") -> Table:
    """Read a CSV, XLSX or JSON file (format from the extension, else from the content) into a Table.

    A JSON file is a list of row objects, or an object holding that list under ``json_key``.
    """
    if len(content) > MAX_FILE_BYTES:
        raise TableFileError(_("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)})
    if not content.strip():
        raise TableFileError(_("The file is empty."))
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix in {"xls", "ods", "numbers"}:
        raise TableFileError(
            _("“.%(suffix)s” files cannot be read: save the sheet as .xlsx or as CSV (UTF-8).") % {"suffix": suffix}
        )
    fmt = format_from_name(filename) or _sniff_format(content)
    if fmt == "xlsx":
        _check_xlsx(content)
        return _rows_to_table("xlsx", _xlsx_rows(content))
    if fmt == "json":
        return _json_table(content, json_key)
    return _rows_to_table("csv", _csv_rows(content))


# --- Reading ----------------------------------------------------------------------------------------------------


def _decode(content: bytes) -> str:
    """UTF-8 text, with or without a byte order mark; anything else is refused with advice."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TableFileError(_("The file is UTF-16 text. Save it as “CSV UTF-8 (comma delimited)” instead."))
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TableFileError(
            _(
                "The file is not UTF-8 text (unreadable byte at position %(position)d). In Excel, save it as "
                "“CSV UTF-8 (comma delimited)”; or upload the .xlsx file itself."
            )
            % {"position": error.start + 1}
        ) from error


def _unescape_formula(value: str) -> str:
    """Undo the export's guard of a formula-like cell: "'=x" was "=x" (see :func:`needs_formula_guard`)."""
    if value.startswith("'") and needs_formula_guard(value[1:]):
        return value[1:]
    return value


def _csv_rows(content: bytes) -> Iterator[list[Any]]:
    """The CSV's records as lists of strings; the delimiter (comma, semicolon or tab) is the heading line's."""
    text = _decode(content)
    if "\x00" in text:
        raise TableFileError(_("The file is not a text file. Upload a CSV (UTF-8), XLSX or JSON file."))
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for record in reader:
            yield [_unescape_formula(cell) for cell in record]
    except csv.Error as error:
        raise TableFileError(
            _("The CSV file is malformed near line %(line)d: %(reason)s.") % {"line": reader.line_num, "reason": error}
        ) from error


# --- XLSX: what is checked before openpyxl sees the file -------------------------------------------------------------

#: Markup that makes an XML parser expand entities or fetch things: never in a spreadsheet.
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
#: A sheet's declared size, its rows' numbers and its cells' columns (any namespace prefix).
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="\$?([A-Z]{1,3})?\$?(\d{1,9})?(?::\$?([A-Z]{1,3})\$?(\d{1,9}))?"')
_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d{1,12})"')
_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="\$?([A-Z]{1,4})\$?\d{1,12}"')
_CHUNK = 1024 * 1024
_OVERLAP = 256  # bytes carried between chunks so that no tag is missed where a chunk ends
_RELATIONSHIP_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _first_sheet_member(archive: zipfile.ZipFile) -> str | None:
    """The archive member of the workbook's first sheet (the one openpyxl reads), from workbook.xml and its rels."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    sheet = next((element for element in workbook.iter() if element.tag.endswith("}sheet")), None)
    if sheet is None:
        return None
    wanted = sheet.get(f"{_RELATIONSHIP_NS}id")
    for relation in relations.iter():
        if relation.tag.endswith("}Relationship") and relation.get("Id") == wanted:
            target = relation.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def _too_many_rows() -> TableFileError:
    return TableFileError(
        _("The sheet has more than %(rows)d rows (blank ones count too); split it into several files.")
        % {"rows": MAX_ROWS}
    )


def _too_many_columns() -> TableFileError:
    return TableFileError(_("The sheet has more than %(columns)d columns.") % {"columns": MAX_COLUMNS})


def _check_sheet_chunk(chunk: bytes) -> None:
    """Refuse a sheet whose declared size, row numbers or cell columns go beyond the limits."""
    for match in _DIMENSION.finditer(chunk):
        last_column, last_row = match.group(3) or match.group(1), match.group(4) or match.group(2)
        if last_row and int(last_row) > MAX_ROWS + 1:
            raise _too_many_rows()
        if last_column and column_index_from_string(last_column.decode()) > MAX_COLUMNS:
            raise _too_many_columns()
    for match in _ROW.finditer(chunk):
        if int(match.group(1)) > MAX_ROWS + 1:
            raise _too_many_rows()
    for match in _CELL.finditer(chunk):
        if column_index_from_string(match.group(1).decode()) > MAX_COLUMNS:
            raise _too_many_columns()


def _check_xlsx(content: bytes) -> None:
    """Refuse, before openpyxl reads anything, an XLSX file that would explode when read.

    Every member's declared and actual unpacked size is checked against MAX_UNPACKED_BYTES (reading stops at the
    limit, so a lying header costs at most that much), XML with a DTD or entities is refused, and the first sheet's
    declared dimension, row numbers and cell columns must stay within MAX_ROWS (blank rows count) and MAX_COLUMNS, so
    a few kilobytes declaring a million padded rows never reach the reader.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise TableFileError(_("The file is not a valid XLSX workbook.")) from error
    with archive:
        if len(members) > MAX_MEMBERS:
            raise TableFileError(_("The file is not a valid XLSX workbook."))
        unpacked_limit = TableFileError(
            _("The workbook unpacks to more than %(mb)d MB; a spreadsheet of at most %(rows)d rows never does.")
            % {"mb": MAX_UNPACKED_BYTES // (1024 * 1024), "rows": MAX_ROWS}
        )
        if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
            raise unpacked_limit
        sheet = _first_sheet_member(archive)
        total = 0
        for member in members:
            total = _check_member(
                archive, member, is_sheet=member.filename == sheet, total=total, too_large=unpacked_limit
            )


def _check_member(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, *, is_sheet: bool, total: int, too_large: TableFileError
) -> int:
    """Unpack one member as a stream, refusing more bytes than it declares or than are left of the limit, XML with a
    DTD, and (for the first sheet) rows and columns beyond the limits; return the bytes unpacked so far."""
    is_xml = member.filename.endswith((".xml", ".rels", ".vml"))
    read = 0
    tail = b""
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(_CHUNK):
                read += len(chunk)
                total += len(chunk)
                if read > member.file_size or total > MAX_UNPACKED_BYTES:
                    raise too_large
                if not is_xml:
                    continue
                window = tail + chunk
                if _DTD.search(window):
                    raise TableFileError(_("The workbook holds XML with a document type declaration: it is refused."))
                if is_sheet:
                    _check_sheet_chunk(window)
                tail = window[-_OVERLAP:]
    except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError, RuntimeError) as error:
        raise TableFileError(_("The XLSX workbook is damaged and cannot be read.")) from error
    return total


def _xlsx_rows(content: bytes) -> Iterator[list[Any]]:
    """The first sheet's rows as lists of cell values (text, numbers, dates)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it does not read
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as error:
        raise TableFileError(_("The file is not a valid XLSX workbook.")) from error
    try:
        if not workbook.worksheets:
            raise TableFileError(_("The workbook has no sheet."))
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            yield list(row)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as error:
        raise TableFileError(_("The XLSX workbook is damaged and cannot be read.")) from error
    finally:
        workbook.close()


def _is_blank(value: Any) -> bool:
    """Whether a cell holds nothing (None or only whitespace)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _rows_to_table(fmt: str, records: Iterable[list[Any]]) -> Table:
    """Turn spreadsheet records into a Table: the first row holds the headings, blank rows are skipped (but count
    toward MAX_ROWS, so that a file of padding is refused like a file of data)."""
    records = iter(records)
    heading_row = next(records, None)
    if heading_row is None or all(_is_blank(cell) for cell in heading_row):
        raise TableFileError(_("The first row must hold the column headings; it is empty."))
    if len(heading_row) > MAX_COLUMNS and any(not _is_blank(cell) for cell in heading_row[MAX_COLUMNS:]):
        raise _too_many_columns()
    headings = ["" if _is_blank(cell) else str(cell).strip() for cell in heading_row]
    table = Table(format=fmt, headings=[h for h in headings if h])
    for number, record in enumerate(records, start=2):
        if number > MAX_ROWS + 1:
            raise _too_many_rows()
        if len(record) > MAX_COLUMNS and any(not _is_blank(cell) for cell in record[MAX_COLUMNS:]):
            raise _too_many_columns()
        if all(_is_blank(cell) for cell in record):
            continue
        row: dict[str, Any] = {}
        for index, value in enumerate(record):
            heading = headings[index] if index < len(headings) else ""
            if heading:
                row[heading] = value
            elif not _is_blank(value):
                raise TableFileError(
                    _(
                        "Row %(row)d, column %(column)s holds a value but the column has no heading (or the row has "
                        "more cells than the heading row; check the quoting)."
                    )
                    % {"row": number, "column": get_column_letter(index + 1)}
                )
        table.rows.append((number, row))
    return table


def _json_table(content: bytes, json_key: str) -> Table:
    """A JSON list of row objects, or an object holding that list under ``json_key``."""
    try:
        data = json.loads(_decode(content))
    except json.JSONDecodeError as error:
        raise TableFileError(
            _("The file is not valid JSON: %(reason)s (line %(line)d).") % {"reason": error.msg, "line": error.lineno}
        ) from error
    except RecursionError as error:
        raise TableFileError(_("The file is not valid JSON: it is nested too deeply.")) from error
    except ValueError as error:  # e.g. an integer of more digits than Python converts
        raise TableFileError(_("The file is not valid JSON: %(reason)s.") % {"reason": error}) from error
    if isinstance(data, dict):
        data = data.get(json_key)
    if not isinstance(data, list):
        raise TableFileError(
            _('The JSON file must be a list of rows, or an object with a "%(key)s" list.') % {"key": json_key}
        )
    if len(data) > MAX_ROWS:
        raise TableFileError(
            _("The file has more than %(rows)d rows; split it into several files.") % {"rows": MAX_ROWS}
        )
    headings: dict[str, None] = {}
    table = Table(format="json", headings=[])
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise TableFileError(
                _("Item %(item)d of the list is not an object of column: value pairs.") % {"item": number}
            )
        for key in item:
            headings.setdefault(str(key), None)
        table.rows.append((number, {str(key): value for key, value in item.items()}))
    table.headings = list(headings)
    return table


# --- Writing ----------------------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A value as text: lists joined with "; ", dates as YYYY-MM-DD, date-times to the minute, None as empty."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(cell_text(item) for item in value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_cell(value: Any) -> str:
    """A value as a CSV cell: text as :func:`cell_text` writes it, with an apostrophe before a formula-like start."""
    text = cell_text(value)
    return "'" + text if needs_formula_guard(text) else text


class _Echo:
    """A file-like object whose write() returns what it is given, so csv.writer yields lines for streaming."""

    def write(self, value: str) -> str:
        """Hand the line back."""
        return value


#: Marks the lines of a CSV's header block (what the file holds) before its table.
NOTE_MARK = "# "


def csv_lines(
    headings: Sequence[Any], rows: Iterable[Sequence[Any]], *, notes: Sequence[tuple[str, str]] = ()
) -> Iterator[str]:
    """CSV text line by line, starting with a UTF-8 byte order mark so that Excel reads Japanese correctly.

    ``notes`` (label, text) come first as comment-like one-cell lines ("# Filters: …") and a blank line, then the
    table: a reader that knows skips them, a person sees what the file holds. Files meant to be imported have none.
    """
    writer = csv.writer(_Echo())
    head = "\ufeff"
    for label, text in notes:
        yield head + writer.writerow([csv_cell(f"{NOTE_MARK}{label}: {text}")])
        head = ""
    if notes:
        yield "\r\n"
    yield head + writer.writerow([csv_cell(value) for value in headings])
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


def _xlsx_cell(sheet: Any, value: Any, *, bold: bool = False) -> Cell:
    """A cell that keeps text as text: strings are never formulas (formula-like ones are quote-prefixed, as Excel
    marks text typed with a leading apostrophe), lists are joined, dates stay dates."""
    if isinstance(value, list | tuple):
        value = cell_text(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if needs_formula_guard(value):
            cell.quotePrefix = True
    elif isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_bytes(
    headings: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    title: str,
    widths: Sequence[int] = (),
    notes: Sequence[tuple[str, str]] = (),
    notes_title: str = "",
) -> bytes:
    """A workbook (openpyxl's write-only mode: flat memory) with a bold, frozen heading row.

    ``notes`` (label, text), if any, go on a second sheet named ``notes_title`` (what the file holds: its filters,
    when it was made); the table stays the first sheet, the one the importer reads.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=ILLEGAL_CHARACTERS_RE.sub("", title)[:31] or "Sheet1")
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths[: len(headings)], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([_xlsx_cell(sheet, value, bold=True) for value in headings])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    if notes:
        about = workbook.create_sheet(title=ILLEGAL_CHARACTERS_RE.sub("", notes_title)[:31] or "Notes")
        about.column_dimensions["A"].width = 16
        about.column_dimensions["B"].width = 80
        for label, text in notes:
            about.append([_xlsx_cell(about, label, bold=True), _xlsx_cell(about, text)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _json_default(value: Any) -> str:
    """Dates as YYYY-MM-DD in JSON."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_bytes(headings: Sequence[str], rows: Iterable[Sequence[Any]], *, json_key: str) -> bytes:
    """Rows as JSON objects keyed by heading, in a list under ``json_key``."""
    items = [dict(zip(headings, row, strict=True)) for row in rows]
    return json.dumps({json_key: items}, ensure_ascii=False, indent=2, default=_json_default).encode()


def table_write(
    *,
    headings: Sequence[str],
    rows: Iterable[Sequence[Any]],
    fmt: str,
    title: str,
    json_key: str = "rows",
    widths: Sequence[int] = (),
    notes: Sequence[tuple[str, str]] = (),
    notes_title: str = "",
) -> bytes:
    """Headings and rows (values in heading order) as a CSV (UTF-8 with BOM), XLSX or JSON file.

    ``notes`` (what the file holds) go on a second XLSX sheet only: CSV and JSON files written here are re-imported,
    and their first line must be the headings.
    """
    if fmt == "csv":
        return "".join(csv_lines(headings, rows)).encode()
    if fmt == "xlsx":
        return xlsx_bytes(headings, rows, title=title, widths=widths, notes=notes, notes_title=notes_title)
    if fmt == "json":
        return json_bytes(headings, rows, json_key=json_key)
    raise ValueError(f"Unknown format {fmt!r}; use one of {', '.join(FORMATS)}.")
