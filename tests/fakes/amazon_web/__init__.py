"""A fake amazon.* web server serving the real saved pages (the scraper's tests)."""
