"""Composition root: settings, database, the Bolt app, the HTTP server, the CLI."""
