"""Checking every incident's hash chain (C24): what `manage.py verify_audit`, the auditor's
page and the tests run.

A chain is read from the rows themselves (timeline entries, deadline and escalation changes),
in link order, and each link is recomputed: its place (1, 2, 3 … with none missing or
doubled), its predecessor's hash and its own HMAC over its content. The head kept beside the
chain and every head the periodic job recorded (ChainHeadSnapshot) must lie on it, so a tail
cut off, or a whole chain rewritten, is found too. The first broken link of each chain is
reported, by table, id and place.
"""
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from incidents import chain
from incidents.models import RecordChain

from .models import ChainHeadSnapshot

# (model, its incident path, name in messages)
SOURCES = [(model, path) for model, path in zip(
    chain.CHAINED_MODELS, ("incident_id", "deadline__incident_id",
                           "escalation__deadline__incident_id"))]
NAMES = {"incidents.timelineentry": "timeline entry",
         "incidents.deadlinechange": "deadline change",
         "incidents.escalationchange": "escalation change"}


@dataclass(frozen=True)
class Link:
    label: str
    pk: int
    chain_index: int
    prev_hash: str
    hash: str
    values: dict

    @property
    def name(self) -> str:
        return f"{NAMES[self.label]} {self.pk}"


@dataclass(frozen=True)
class Break:
    incident_id: int
    link: str  # e.g. "timeline entry 42", or "link 7" for one that is missing
    position: int
    problem: str

    def __str__(self):
        return f"incident {self.incident_id}: {self.link} (link {self.position}): {self.problem}"


@dataclass
class Report:
    chains: int = 0
    links: int = 0
    breaks: list[Break] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks


def verify(incident_ids: list[int] | None = None, batch: int = 200) -> Report:
    """Check the chains of these incidents (every chain when None), `batch` at a time."""
    report = Report()
    heads = RecordChain.objects.order_by("incident_id")
    if incident_ids is not None:
        heads = heads.filter(incident_id__in=incident_ids)
    ids = list(heads.values_list("incident_id", flat=True))
    if incident_ids is not None:
        ids = sorted(set(ids) | set(incident_ids))
    for start in range(0, len(ids), batch):
        _verify_batch(ids[start:start + batch], report)
    return report


def _verify_batch(ids: list[int], report: Report) -> None:
    links = _links(ids)
    heads = {h.incident_id: h for h in RecordChain.objects.filter(incident_id__in=ids)}
    snapshots = defaultdict(list)
    for snapshot in ChainHeadSnapshot.objects.filter(incident_id__in=ids):
        snapshots[snapshot.incident_id].append(snapshot)
    for incident_id in ids:
        rows = links.get(incident_id, [])
        report.chains += 1
        report.links += len(rows)
        problem = (_first_broken_link(incident_id, rows)
                   or _head_problem(incident_id, rows, heads.get(incident_id))
                   or _snapshot_problem(incident_id, rows, snapshots[incident_id]))
        if problem is not None:
            report.breaks.append(problem)


def _links(ids: list[int]) -> dict[int, list[Link]]:
    found = defaultdict(list)
    for model, path in SOURCES:
        label = model._meta.label_lower
        fields = chain.CHAINED_FIELDS[label]
        for row in model.objects.filter(**{f"{path}__in": ids}).values(
                "pk", path, "chain_index", "prev_hash", "hash", *fields):
            found[row[path]].append(Link(label, row["pk"], row["chain_index"], row["prev_hash"],
                                         row["hash"], row))
    for rows in found.values():
        rows.sort(key=lambda link: (link.chain_index, link.label, link.pk))
    return found


def _first_broken_link(incident_id: int, rows: list[Link]) -> Break | None:
    prev_hash = ""
    for expected, link in enumerate(rows, start=1):
        if link.chain_index != expected:
            problem = (_("链序号重复或缺失（应为 %(expected)s，实为 %(actual)s）：有记录被删除或伪造插入")
                       % {"expected": expected, "actual": link.chain_index})
            return Break(incident_id, link.name, expected, problem)
        if link.prev_hash != prev_hash:
            return Break(incident_id, link.name, expected,
                         _("前一条哈希不符：其前的记录被删除、改动或伪造插入"))
        if chain.link_hash(link.label, link.chain_index, link.prev_hash, link.values) != link.hash:
            return Break(incident_id, link.name, expected, _("内容与哈希不符：该记录被改动或伪造"))
        prev_hash = link.hash
    return None


def _head_problem(incident_id: int, rows: list[Link], head: RecordChain | None) -> Break | None:
    length = len(rows)
    if head is None:
        if rows:
            return Break(incident_id, rows[0].name, 1, _("该事件没有链头记录"))
        return None
    if head.length > length:
        return Break(incident_id, f"link {length + 1}", length + 1,
                     _("链头记录 %(n)s 条，现存 %(m)s 条：末尾记录被删除") % {
                         "n": head.length, "m": length})
    if head.length < length or (rows and rows[-1].hash != head.head_hash):
        last = rows[-1]
        return Break(incident_id, last.name, length, _("与链头记录不符：末尾记录被改动或伪造插入"))
    return None


def _snapshot_problem(incident_id: int, rows: list[Link], snapshots: list) -> Break | None:
    for snapshot in sorted(snapshots, key=lambda s: (s.recorded_at, s.pk)):
        at = snapshot.length
        if at == 0:
            continue
        if at > len(rows) or rows[at - 1].hash != snapshot.head_hash:
            name = rows[at - 1].name if at <= len(rows) else f"link {at}"
            return Break(incident_id, name, at, _(
                "与 %(when)s 记录的链头快照不符：整条链被改写或截短") % {
                "when": snapshot.recorded_at.isoformat()})
    return None
