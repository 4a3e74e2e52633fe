"""Flask extensions, created unbound and initialised by the app factory (``init_app``).

The database object lives in ``ledger.database``."""

from __future__ import annotations

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_wtf import CSRFProtect


class LedgerApi(Api):
    """flask-smorest's Api without its app-wide JSON error handler, and without its documentation
    of errors and pages.

    ``ledger.errors`` installs one handler that answers JSON under ``/api`` and HTML pages
    elsewhere; smorest's own would turn every web 404 into JSON. Its errors have another shape
    than smorest's default error, so ``ledger.api.openapi`` documents each operation's errors
    and the ``X-Pagination`` header instead.
    """

    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        return None

    def _register_pagination_header(self) -> None:
        return None


migrate = Migrate()
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
api = LedgerApi()
