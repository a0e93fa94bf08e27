"""The ticket domain: tickets, status workflow, routing and the services that change them. Pure."""
