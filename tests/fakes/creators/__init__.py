"""A fake Amazon Creators API for tests."""
