"""gunicorn entry point: `gunicorn wsgi:app`."""

from telecenter import create_app

app = create_app()
