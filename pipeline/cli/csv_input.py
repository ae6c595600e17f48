"""The CSV files a person hands to a command, read as text with one clear line for each way they can be wrong.

Apart from ``common`` so that commands reading a file need not import the warehouse's SQLAlchemy.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.cli.errors import UserError

if TYPE_CHECKING:  # pandas is heavy: imported when a file is read, not for --help
    import pandas as pd


def read_text_csv(
    path: Path, columns: tuple[str, ...], *, row: str, purpose: str, skip_initial_space: bool = False
) -> pd.DataFrame:
    """A user's CSV as text cells (so an error can quote a cell as written), with its header checked.

    Args:
        path: the file the user named.
        columns: the columns the header must name.
        row: what one row is, for the messages ("observation", "ticket").
        purpose: what the command does with the rows ("score", "cluster").
        skip_initial_space: drop spaces after each comma (hand-typed ``timestamp, value`` files).

    Raises:
        UserError: one line saying what is wrong with the file and what it should hold.
    """
    import pandas as pd

    wanted = ",".join(columns)
    if not path.exists():
        raise UserError(f"{path}: no such file; give a CSV with columns {wanted}")
    if path.is_dir():
        raise UserError(f"{path} is a folder; give a CSV file with columns {wanted}")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=skip_initial_space)
    except pd.errors.EmptyDataError as exc:
        raise UserError(f"{path} is empty; expected a header line {wanted} and one row per {row}") from exc
    except pd.errors.ParserError as exc:
        raise UserError(f"{path} is not a well-formed CSV ({str(exc).strip()})") from exc
    except UnicodeDecodeError as exc:
        raise UserError(f"{path} is not UTF-8 text (byte {exc.start}); save it as a UTF-8 CSV") from exc
    except OSError as exc:
        raise UserError(f"{path} cannot be read: {exc.strerror}") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise UserError(
            f"{path} has no column {' or '.join(missing)} (found: {', '.join(frame.columns)}); "
            f"the header must name {' and '.join(columns)}"
        )
    if frame.empty:
        raise UserError(f"{path} has a header but no rows; nothing to {purpose}")
    return frame
