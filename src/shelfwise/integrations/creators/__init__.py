"""The Amazon Creators API (successor of PA-API 5): items and searches for affiliates."""
