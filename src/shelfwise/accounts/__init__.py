"""Users, organizations, memberships, sessions, API keys and login."""
