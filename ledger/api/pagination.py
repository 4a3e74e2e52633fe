"""One way to page every list the API answers: ``?page=`` (from 1) and ``?page_size=`` (100 unless
asked, at most 1000), the list itself as the body, and in the ``X-Pagination`` header, as JSON
text, how many items there are in all and which page comes next. No list is ever cut silently.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask_smorest import Blueprint, Page

from ledger.core.errors import ValidationFailed
from ledger.core.text import N_

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000

#: The furthest row a page read by the database may start at: no list is that long, and a larger
#: offset would overflow the database's integer.
MAX_OFFSET = 2**31 - 1

F = TypeVar("F", bound=Callable[..., Any])


def paginated(blueprint: Blueprint) -> Callable[[F], F]:
    """The view returns the whole list; one page of it is answered."""
    return blueprint.paginate(Page, page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)


def paged_by_view(blueprint: Blueprint) -> Callable[[F], F]:
    """The view reads one page itself (``pagination_parameters``) and sets its ``item_count``."""
    paginate = blueprint.paginate(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)

    def decorate(view: F) -> F:
        @wraps(view)
        def within_reach(*args: Any, pagination_parameters: Any, **kwargs: Any) -> Any:
            if pagination_parameters.first_item > MAX_OFFSET:
                raise ValidationFailed(N_("The request did not pass validation"), [{
                    "location": "query", "field": "page", "messages": ["starts past the end of any list"]}])
            return view(*args, pagination_parameters=pagination_parameters, **kwargs)

        return paginate(within_reach)

    return decorate
