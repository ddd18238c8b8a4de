"""Catalog ingestion: webhooks and imports, file decoding and readers, column mapping, values."""
