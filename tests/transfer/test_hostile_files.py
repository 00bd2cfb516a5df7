"""Files made to explode or to break the reader: refused with a clear message before the reader sees them, in the
admin's upload form (a form error) and in the command (a non-zero exit with a message), never a 500 or a traceback."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from core.spreadsheets import MAX_COLUMNS, MAX_ROWS, MAX_UNPACKED_BYTES, TableFileError
from transfer.importing import read_import_file

from .helpers import db_state

pytestmark = pytest.mark.django_db


def small_workbook() -> bytes:
    """A valid one-sheet workbook with a heading row and one row."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["reference", "title"])
    sheet.append(["X-1", "A title"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite_member(content: bytes, name: str, change) -> bytes:
    """The workbook with one member's bytes replaced by ``change(old_bytes)``."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info.filename, change(data) if info.filename == name else data)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def padded_rows_bomb() -> bytes:
    """A few kilobytes that declare a million rows, with a cell in the last one (the reader would pad them all)."""

    def change(xml: bytes) -> bytes:
        xml = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:Z1048576"', xml)
        return xml.replace(
            b"</sheetData>", b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
        )

    return rewrite_member(small_workbook(), SHEET, change)


def wide_bomb() -> bytes:
    """A sheet with a cell in column XFD, the last one Excel has."""
    return rewrite_member(
        small_workbook(),
        SHEET,
        lambda xml: xml.replace(
            b"</row></sheetData>", b'<c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
        ),
    )


def shared_strings_bomb(size: int) -> bytes:
    """A workbook whose shared strings unpack to ``size`` bytes (a few hundred kilobytes of zip)."""
    content = small_workbook()
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
        with target.open("xl/sharedStrings.xml", "w") as member:
            member.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
            block = b"A" * (1024 * 1024)
            for _ in range(size // len(block)):
                member.write(block)
            member.write(b"</t></si></sst>")
    return out.getvalue()


def dtd_workbook() -> bytes:
    """A sheet with a document type declaration and an entity (the billion-laughs family)."""
    return rewrite_member(
        small_workbook(),
        SHEET,
        lambda xml: b'<!DOCTYPE worksheet [<!ENTITY lol "lol">]>' + xml.split(b"?>", 1)[-1],
    )


HOSTILE = {
    "padded rows": (padded_rows_bomb, "xlsx", f"more than {MAX_ROWS} rows"),
    "wide": (wide_bomb, "xlsx", f"more than {MAX_COLUMNS} columns"),
    "shared strings": (lambda: shared_strings_bomb(MAX_UNPACKED_BYTES + 4 * 1024 * 1024), "xlsx", "unpacks to more"),
    "dtd": (dtd_workbook, "xlsx", "document type declaration"),
    "blank csv rows": (lambda: b"reference,title\n" + b",\n" * (MAX_ROWS + 5) + b"X-1,T\n", "csv", "blank ones count"),
    "deep json": (lambda: b"[" * 200_000 + b"]" * 200_000, "json", "nested too deeply"),
    "huge json number": (lambda: b'[{"reference": ' + b"9" * 5000 + b"}]", "json", "not valid JSON"),
    "not a zip": (lambda: b"PK\x03\x04" + b"\x00" * 100, "xlsx", "not a valid XLSX workbook"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_the_reader_refuses_with_a_message(name):
    make, fmt, message = HOSTILE[name]
    with pytest.raises(TableFileError, match=re.escape(message)):
        read_import_file(content=make(), filename=f"hostile.{fmt}")


def test_the_checks_leave_an_ordinary_workbook_alone():
    table = read_import_file(content=small_workbook(), filename="fine.xlsx")
    assert table.headings == ["reference", "title"]
    assert [row for _number, row in table.rows] == [{"reference": "X-1", "title": "A title"}]


def test_a_bomb_is_small_on_disk():
    """The point of these files: kilobytes or a few hundred kilobytes that would cost minutes or gigabytes."""
    assert len(padded_rows_bomb()) < 20_000
    assert len(shared_strings_bomb(MAX_UNPACKED_BYTES + 4 * 1024 * 1024)) < 1_000_000


def test_a_4000_digit_number_is_an_error_in_its_row_not_a_crash():
    content = b'[{"reference": ' + b"9" * 4000 + b', "title": "T", "description": "D", "source": "s"}]'
    from transfer.importing import import_plan

    plan = import_plan(table=read_import_file(content=content, filename="n.json"))
    assert plan.has_errors and "reference" in plan.rows[0].errors[0]


@pytest.mark.parametrize("name", HOSTILE)
def test_the_upload_form_shows_a_file_error(policy_client, name):
    make, fmt, message = HOSTILE[name]
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = db_state()
    response = policy_client.post(
        reverse("admin:recommendations_recommendation_import"),
        {"file": SimpleUploadedFile(f"hostile.{fmt}", make())},
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["__all__"])
    assert db_state() == before


@pytest.mark.parametrize("name", HOSTILE)
def test_the_command_exits_with_a_message(tmp_path: Path, name):
    make, fmt, message = HOSTILE[name]
    path = tmp_path / f"hostile.{fmt}"
    path.write_bytes(make())
    before = db_state()
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("import_recommendations", str(path), "--dry-run")
    assert db_state() == before
