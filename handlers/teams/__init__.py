"""The Microsoft Teams adapter: the only package that imports the Teams SDK (microsoft_teams)."""

import warnings

# The SDK warns on import about a preview feature supportbot does not use (HTML widgets); not for operators' logs.
warnings.filterwarnings("ignore", message="HtmlWidgetSecurityPolicy is in preview")
