"""Durable jobs: an outbox row per job, a relay to Dramatiq, workers, retries and a scheduler."""
