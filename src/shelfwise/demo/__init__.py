"""The demo organization: a realistic, deterministic catalog so every page has data."""
