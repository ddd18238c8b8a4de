"""Amazon Selling Partner API: report parsing now; client, service and fake as they land."""
