"""Entry point for ``flask --app wsgi …`` and for gunicorn (``gunicorn wsgi:app``)."""

import gc

from ledger import ConfigError, check_database, create_app

try:
    app = create_app()
    check_database(app)
except ConfigError as error:  # one clear line instead of a traceback
    raise SystemExit(f"ledger: configuration error: {error}") from None

# What exists now (modules, the app, its caches) lives as long as the process. Frozen, a full
# garbage collection during a request walks only what requests made: unfrozen, one took 145 ms
# in the middle of a 40 ms dashboard (docs/benchmarks.md).
gc.freeze()
