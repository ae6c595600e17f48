"""The one error type the CLI turns into a single clear line."""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix: bad input, a missing file, a wrong option value.

    The message says what is wrong, where (file, line, column, value) and what to do.
    Library modules raise their own narrow errors; ``pipeline.cli`` commands translate
    them into ``UserError``.
    """
