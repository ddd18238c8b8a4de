"""Vendor integrations and the orchestrator every outbound call goes through."""
