"""Home pages, language switch and health check."""
