"""Slack adapters: payload in, one service call, Block Kit out. One module per Slack surface."""
