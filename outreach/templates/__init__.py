"""Jinja2 templates of the outreach email: ``<locale>.subject.txt.j2``, ``<locale>.body.txt.j2``, ``<locale>.body.html.j2``."""
