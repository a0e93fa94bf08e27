"""Persistence adapters: SQLAlchemy 2.0 models, repositories and the outbox."""
