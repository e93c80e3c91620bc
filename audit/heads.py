"""The periodic record of every chain's head (C24): length, last hash and when it was seen,
appended as ChainHeadSnapshot rows and written to the `audit.chain_heads` log, which a
deployment can ship to an external sink. A chain later rewritten from the start, however well
its links fit, no longer passes through a head recorded here."""
import logging
from datetime import datetime

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from incidents.models import RecordChain

from .models import ChainHeadSnapshot

logger = logging.getLogger("audit.chain_heads")


def record_heads(now: datetime | None = None) -> list[ChainHeadSnapshot]:
    """Snapshot every chain whose head moved since its last snapshot; the new snapshots."""
    now = now or timezone.now()
    last = ChainHeadSnapshot.objects.filter(incident_id=OuterRef("incident_id")) \
        .order_by("-recorded_at", "-id")
    moved = (RecordChain.objects.filter(length__gt=0)
             .annotate(seen=Subquery(last.values("head_hash")[:1]))
             .order_by("incident_id"))
    snapshots = [ChainHeadSnapshot(incident_id=head.incident_id, length=head.length,
                                   head_hash=head.head_hash, recorded_at=now)
                 for head in moved if head.seen != head.head_hash]
    ChainHeadSnapshot.objects.bulk_create(snapshots, batch_size=500)
    for snapshot in snapshots:
        logger.info("chain head incident=%s length=%s hash=%s at=%s", snapshot.incident_id,
                    snapshot.length, snapshot.head_hash, now.isoformat())
    return snapshots
