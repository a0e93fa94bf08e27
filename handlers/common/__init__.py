"""What the Slack and Teams adapters share: ids and verbs, view models and pure functions that produce words and
values (people left to a `mention: Callable[[str], str]`), and the parsing of form values into domain values.
Imports neither a chat SDK nor either adapter (import-linter keeps it so)."""
