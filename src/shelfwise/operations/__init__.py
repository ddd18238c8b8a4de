"""Health, metrics, request ids, problem details and resource caps."""
