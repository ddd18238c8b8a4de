"""Vendor fakes: local servers that speak the vendors' wire format."""
