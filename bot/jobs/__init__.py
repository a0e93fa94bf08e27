"""Scheduled work (adapters): each job takes `now`, opens its own unit of work and is idempotent."""
