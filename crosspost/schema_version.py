"""The newest migration, in a module that imports nothing.

Every command compares the database with it, so it is kept here rather than asked
of Alembic (importing Alembic costs a tenth of a second), and apart from
crosspost/db.py, so the quick SQLite reader (crosspost/sqlite_reads.py) checks it
without importing SQLAlchemy. tests/test_migrations.py fails if a migration is
added without updating it.
"""

HEAD_REVISION = "0004_removed_feeds"
