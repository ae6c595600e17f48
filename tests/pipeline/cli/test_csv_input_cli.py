"""The CSV files a person hands to ``forewarn anomalies`` and ``forewarn cluster``: every unreadable
file is one line on stderr that names the file, says what is wrong and what the file should hold."""

from __future__ import annotations

import pytest

from pipeline.cli import main

# command, the columns its header must name, what one row is, what it would do with the rows
COMMANDS = [
    ("anomalies", ("timestamp", "value"), "observation", "score"),
    ("cluster", ("ticket_id", "text"), "ticket", "cluster"),
]


def _bad_files(tmp_path, columns):
    folder = tmp_path / "a-folder.csv"
    folder.mkdir()
    (tmp_path / "latin1.csv").write_bytes(f"{','.join(columns)}\n1,caf\xe9\n".encode("latin-1"))
    (tmp_path / "ragged.csv").write_text(f"{','.join(columns)}\n1,2\n1,2,3,4\n")
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "header.csv").write_text(f"{','.join(columns)}\n")
    (tmp_path / "renamed.csv").write_text(f"{columns[0]},other\n1,2\n")
    wanted = ",".join(columns)
    return {
        "nope.csv": f"nope.csv: no such file; give a CSV with columns {wanted}",
        "a-folder.csv": f"a-folder.csv is a folder; give a CSV file with columns {wanted}",
        "latin1.csv": "latin1.csv is not UTF-8 text (byte ",
        "ragged.csv": "ragged.csv is not a well-formed CSV (",
        "empty.csv": f"empty.csv is empty; expected a header line {wanted} and one row per ",
        "header.csv": "header.csv has a header but no rows; nothing to ",
        "renamed.csv": f"renamed.csv has no column {columns[1]} (found: {columns[0]}, other); "
        f"the header must name {columns[0]} and {columns[1]}",
    }


@pytest.mark.parametrize(("command", "columns", "row", "purpose"), COMMANDS)
def test_each_unreadable_file_is_one_line_saying_what_to_fix(tmp_path, capsys, command, columns, row, purpose):
    for name, expected in _bad_files(tmp_path, columns).items():
        code = main([command, str(tmp_path / name), "--out", str(tmp_path / "out.csv")])
        err = capsys.readouterr().err
        assert code == 2, name
        assert expected in err, (name, err)
        assert err.strip().count("\n") == 0 and "Traceback" not in err, (name, err)
        if name == "empty.csv":
            assert f"one row per {row}" in err
        if name == "header.csv":
            assert f"nothing to {purpose}" in err
        assert not (tmp_path / "out.csv").exists(), name
