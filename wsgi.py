"""Entry point for ``flask --app wsgi …`` and for gunicorn (``gunicorn wsgi:app``)."""

from ledger import ConfigError, check_database, create_app

try:
    app = create_app()
    check_database(app)
except ConfigError as error:  # one clear line instead of a traceback
    raise SystemExit(f"ledger: configuration error: {error}") from None
