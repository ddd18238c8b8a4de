"""The ASIN bridge: Amazon items by ASIN from the cache or the best source an organization has."""
