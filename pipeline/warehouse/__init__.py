"""The warehouse: engine creation, schema migrations and small helpers over SQLAlchemy 2."""

from pipeline.warehouse.engine import database_url, forewarn_home, make_engine
from pipeline.warehouse.migrate import migrate

__all__ = ["database_url", "forewarn_home", "make_engine", "migrate"]
