"""Persistence: models, session factory, unit of work, repositories, migrations, demo data.

Kept import-free so that `storage.vocabulary` (standard library only) can be used by every
layer without loading SQLAlchemy.
"""
