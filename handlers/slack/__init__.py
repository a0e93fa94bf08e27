"""The Slack adapter: listeners, Block Kit views, the notifier and the sender. Only this package imports slack_bolt/slack_sdk."""
