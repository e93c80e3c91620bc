"""The answer to htmx's poll of a live section (an incident's documents and deliveries, the
duty officer's lead list).

The page sends the stamp of what it shows. While that stamp still holds the answer is 204 No
Content, so htmx swaps nothing and the section is not rendered (a poll twice a second costs the
stamp's query alone); otherwise it is the section, whose new stamp the next poll sends. Never
cached: a proxy must not answer a poll with an old section.
"""
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


def section(request: HttpRequest, stamp: str, render: Callable[[], HttpResponse], *,
            holds: bool = True) -> HttpResponse:
    """204 while `holds` and the page's stamp is `stamp`; else `render()`."""
    if holds and request.GET.get("stamp") == stamp:
        response = HttpResponse(status=204)
    else:
        response = render()
    response["Cache-Control"] = "no-store"
    return response
