"""Pages of a long list whose count is bounded: the incident list and its search.

Django's Paginator counts every row of the list to say "page 3 of 2,000". Over a province's
100,000 incidents, a search for a common word (in 15% of them) then reads the whole table for
the count alone (bench/console.py). This paginator counts no further than a few pages past the
page asked for: the list says "more than N" beyond that, and the next page's link is still
there (its own count reaches further), so every row can still be reached.
"""
from django.core.paginator import InvalidPage, Page, Paginator
from django.utils.functional import cached_property

PAGES_AHEAD = 10


class BoundedPaginator(Paginator):
    """Counts at most up to PAGES_AHEAD pages past the page asked for (`number`, as the query
    string gives it); `more` says there are rows past that bound."""

    def __init__(self, object_list, per_page, number, pages_ahead: int = PAGES_AHEAD):
        super().__init__(object_list, per_page)
        self.number_asked = self._asked(number)
        self.bound = (self.number_asked + pages_ahead) * self.per_page

    @staticmethod
    def _asked(number) -> int:
        try:
            return max(1, int(number))
        except (TypeError, ValueError):
            return 1

    @cached_property
    def counted(self) -> int:
        # Unordered and sliced: COUNT(*) over a subquery that stops at bound + 1 rows.
        return self.object_list.order_by()[: self.bound + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.bound)

    @property
    def more(self) -> bool:
        """Whether there are rows past `count` (it is then a lower bound)."""
        return self.counted > self.bound

    def page_asked(self) -> Page:
        """The page asked for, or the last one when it is past the end (as get_page)."""
        try:
            return self.page(self.number_asked)
        except InvalidPage:
            return self.page(self.num_pages)
