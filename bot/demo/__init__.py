"""`supportbot demo`: the real app against a local stand-in for Slack, played as a story."""
