"""The domain event bus: events persisted with the change, delivered to subscribers as jobs."""
