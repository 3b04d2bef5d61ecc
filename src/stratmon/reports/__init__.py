"""Reports: Jinja2 templates rendered from stored results."""
