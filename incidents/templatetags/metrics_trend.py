"""The incident page's trend of its spread figures (C07), drawn on the server as inline SVG.

One small panel per figure (clicks, comments, mainstream reposts, heat index), each on its own
scale, since clicks run to the hundred thousand and reposts to the dozen; time runs left to
right in proportion to when each snapshot was recorded. Nothing is fetched from anywhere.
"""
from dataclasses import dataclass

from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

register = template.Library()

WIDTH, HEIGHT, PAD = 320, 90, 6
SERIES = [("clicks", _("点击量")), ("comments", _("评论数")),
          ("mainstream_sites", _("主流网站转载数")), ("heat_index", _("热度指数"))]


@dataclass
class Panel:
    label: str
    latest: str
    peak: str
    points: str  # the polyline's "x,y x,y …"
    dots: list  # (x, y) of each snapshot


def _number(value) -> str:
    return f"{value:,.0f}" if float(value) == int(value) else f"{value:,.2f}"


def panels(snapshots) -> list[Panel]:
    """A panel per figure that has at least one value, its line scaled to its own peak."""
    snapshots = list(snapshots)
    if not snapshots:
        return []
    start, end = snapshots[0].recorded_at, snapshots[-1].recorded_at
    span = (end - start).total_seconds() or 1
    result = []
    for field, label in SERIES:
        values = [(s.recorded_at, getattr(s, field)) for s in snapshots
                  if getattr(s, field) is not None]
        if not values:
            continue
        peak = max(float(v) for _, v in values) or 1
        dots = []
        for at, value in values:
            x = PAD + (WIDTH - 2 * PAD) * ((at - start).total_seconds() / span
                                           if len(snapshots) > 1 else 0.5)
            y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * float(value) / peak
            dots.append((round(x, 1), round(y, 1)))
        result.append(Panel(str(label), _number(values[-1][1]), _number(peak),
                            " ".join(f"{x},{y}" for x, y in dots), dots))
    return result


@register.inclusion_tag("incidents/_metrics_trend.html")
def metrics_trend(snapshots):
    snapshots = list(snapshots)
    return {
        "panels": panels(snapshots), "width": WIDTH, "height": HEIGHT,
        "first": timezone.localtime(snapshots[0].recorded_at) if snapshots else None,
        "last": timezone.localtime(snapshots[-1].recorded_at) if snapshots else None,
    }
