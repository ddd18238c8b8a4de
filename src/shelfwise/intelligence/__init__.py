"""Listing intelligence: scores computed from catalog and market data."""
