"""Marketplace and provider credentials, encrypted per organization (D1-D3)."""
