"""manage.py propose_recommendations: text, CSV and XLSX output; a clear non-zero exit on a bad file."""

import pytest
from django.core.management import CommandError, call_command

from core.spreadsheets import table_read

pytestmark = pytest.mark.django_db


def test_text_output_lists_candidates_and_overlaps(commentary, tmp_path, capsys):
    path = tmp_path / "report.txt"
    path.write_text(
        "Alliance\n\nJapan should urgently revamp its military force in light of the security environment.\n"
    )
    call_command("propose_recommendations", str(path), "--source", "tokuchi-2023-nss-commentary")
    out = capsys.readouterr().out
    assert "TOK23-33  Urgently revamp its military force" in out
    assert "Overlaps TOK23-01" in out
    assert "1 candidate recommendations." in out


def test_csv_and_xlsx_are_import_files(commentary, tmp_path, capsys):
    path = tmp_path / "報告.txt"
    path.write_text("第1章　協力\n\n日本は韓国との協力を強化すべきである。\n", encoding="utf-8")
    call_command("propose_recommendations", str(path), "--format", "csv")
    out = capsys.readouterr().out
    assert "日本は韓国との協力を強化する" in out and "japan; south-korea" in out
    output = tmp_path / "out.xlsx"
    call_command("propose_recommendations", str(path), "--format", "xlsx", "--output", str(output))
    table = table_read(content=output.read_bytes(), filename="out.xlsx")
    assert table.rows[0][1]["title_ja"] == "日本は韓国との協力を強化する"
    assert table.rows[0][1]["section"] == "第1章　協力"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.txt", None, "No such file"),
        ("table.xls", b"x", "not a document"),
        ("broken.pdf", b"not a pdf", "cannot be read"),
    ],
)
def test_bad_files_exit_non_zero_with_a_message(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("propose_recommendations", str(path))


def test_unknown_source_is_an_error(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Japan should act.")
    with pytest.raises(CommandError, match="No source"):
        call_command("propose_recommendations", str(path), "--source", "nope")
