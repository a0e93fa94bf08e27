"""The Microsoft Teams adapter: the only package that imports the Teams SDK (microsoft_teams)."""
