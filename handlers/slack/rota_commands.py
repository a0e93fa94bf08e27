"""`/support who [line] [date]` grammar: now in handlers/grammar.py, shared with Teams; re-exported here."""

from handlers.grammar import DAY_NAMES, ISO_DAY, LINE_WORDS, MIDDAY, WhoQuery, parse_who_args, resolve_day

__all__ = ["DAY_NAMES", "ISO_DAY", "LINE_WORDS", "MIDDAY", "WhoQuery", "parse_who_args", "resolve_day"]
