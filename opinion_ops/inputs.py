"""What the API accepts before any view reads it: one bound for every integer, one parser for
every JSON body, one filter backend for every list.

A request that breaks a bound is answered 400 naming the field (or the body), never a 500:

* integers fit the database's 32-bit INTEGER column (PostgreSQL's `integer`; SQLite has no
  such limit, so a test on SQLite alone would miss it), and ids its 64-bit BIGINT;
* a JSON body is an object (a view that takes a list of records says so with
  `accepts_json_list = True`) nested at most JSON_MAX_DEPTH deep: Python's parser recurses, and
  50,000 nested brackets would exhaust the stack (RecursionError, not the ValueError DRF's
  parser turns into a 400);
* a filter on a number or a record (`?incident=…`) is checked the same way before the query
  runs.
"""
import codecs
import json
import re
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser

INT_MAX = 2**31 - 1  # an IntegerField/PositiveIntegerField column
ID_MAX = 2**63 - 1  # a BigAutoField column
JSON_MAX_DEPTH = 32
# Ids in URL paths (DRF routers' lookup_value_regex): longer is no record, answered 404.
ID_PATH_REGEX = r"[0-9]{1,18}"

_INTEGER = re.compile(r"\s*[+-]?[0-9]+\s*")


class BoundedIntegerField(serializers.IntegerField):
    """An IntegerField that fits its column: max_value defaults to INT_MAX."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_value", INT_MAX)
        kwargs.setdefault("min_value", -INT_MAX)
        super().__init__(**kwargs)


class RecordField(serializers.PrimaryKeyRelatedField):
    """A PrimaryKeyRelatedField whose id is checked to be an id before the lookup: on SQLite
    a number past 2^63 raises OverflowError in the query, which DRF does not catch."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or (isinstance(data, int) and not 0 < data <= ID_MAX) or (
                isinstance(data, str) and _INTEGER.fullmatch(data)
                and not 0 < int(data) <= ID_MAX):
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


def json_depth_exceeds(text: str, limit: int) -> bool:
    """Whether brackets nest deeper than `limit` outside strings (a scan, no recursion)."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


class ObjectJSONParser(JSONParser):
    """DRF's JSONParser, bounded: depth at most JSON_MAX_DEPTH, and an object unless the view
    accepts a list (`accepts_json_list`)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
        except UnicodeDecodeError as exc:
            raise ParseError(_("请求体不是有效的 %s 文本") % encoding) from exc
        if json_depth_exceeds(text, JSON_MAX_DEPTH):
            raise ParseError(_("JSON 嵌套超过 %d 层") % JSON_MAX_DEPTH)
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(_("JSON 格式错误：%s") % exc) from exc
        view = parser_context.get("view")
        allowed = (dict, list) if getattr(view, "accepts_json_list", False) else (dict,)
        if not isinstance(data, allowed):
            raise ParseError(_("请求体必须是 JSON 对象（{…}）"))
        return data


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


# Real time zones lie within ±14 h of UTC, and no record of ours is older than 1900: a moment
# outside either (an offset of -21:12, the year 81) is refused before the database sees it
# (PostgreSQL rejects such offsets with an error that would abort the transaction).
MAX_UTC_OFFSET = timedelta(hours=14)
EARLIEST_YEAR = 1900


def moment_out_of_reach(value) -> bool:
    """Whether a date-time lies outside what any office's record can hold: an offset no zone
    has, a year before any record, or a moment the office's zone reckoned in local mean time
    (Asia/Shanghai before 1901 is +08:05:43), which no ISO 8601 date-time can render."""
    if not isinstance(value, datetime):
        return False
    offset = value.utcoffset()
    if value.year < EARLIEST_YEAR or (offset is not None and abs(offset) > MAX_UTC_OFFSET):
        return True
    if offset is None:
        return False
    try:
        local = value.astimezone(timezone.get_current_timezone()).utcoffset()
    except (OverflowError, ValueError):
        return True
    return local is None or local.total_seconds() % 60 != 0


def times_out_of_reach(form: forms.Form) -> dict[str, list[str]]:
    """The filter fields whose date-time is outside what a record can hold."""
    if not form.is_valid():
        return {}  # the filter's own validation answers it with a 400
    return {name: [str(_("时间超出范围（时区偏移须在 ±14 小时内，年份不早于 %d）")
                       % EARLIEST_YEAR)]
            for name, value in form.cleaned_data.items() if moment_out_of_reach(value)}


def out_of_range(form: forms.Form) -> dict[str, list[str]]:
    """The filter fields whose value is a whole number past the column it is compared to."""
    errors = {}
    for name, field in form.fields.items():
        # NumberFilter's field is a DecimalField; the ones here filter on ids (BIGINT).
        if isinstance(field, (forms.ModelChoiceField, forms.ModelMultipleChoiceField,
                              forms.DecimalField)):
            limit = ID_MAX
        elif isinstance(field, forms.IntegerField):
            limit = INT_MAX
        else:
            continue
        raw = form.data.getlist(name) if hasattr(form.data, "getlist") else [
            form.data.get(name)]
        values = [part for value in raw if isinstance(value, str) for part in value.split(",")]
        if any(_beyond(v, limit) for v in values):
            errors[name] = [str(_("数值超出范围（最大 %d）") % limit)]
    return errors


def _beyond(text: str, limit: int) -> bool:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return False  # not a number: the field's own validation answers it
    return number.is_finite() and abs(number) > limit


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, with numbers and ids in the query string bounded first."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            errors = out_of_range(filterset.form) or times_out_of_reach(filterset.form)
            if errors:
                raise ValidationError(errors)
        return filterset
