"""C10a, C16 per draft kind and severity, under the shipped plan: who may approve (and who is
refused), and whether one approval suffices or every leadership member must approve. The
expectations are written out by hand, as the plan's text gives them."""
import pytest

from opinion_ops.errors import NotPermitted
from responses import actions
from responses.models import ResponseDraft
from tests.responses.helpers import drafted, incident_at

pytestmark = pytest.mark.django_db

KINDS = ["reply", "unified_reply", "press_release", "statement", "post", "talking_points"]
HEAD, LEADERSHIP = "head", "leadership"
# (kind, severity) → (who approves, how many of them)
EXPECTED = {
    **{(kind, "general"): (LEADERSHIP, "any") for kind in KINDS},
    ("reply", "general"): (HEAD, "any"),  # C10a: the department head approves its reply
    ("unified_reply", "general"): (HEAD, "any"),
    **{(kind, "major"): (LEADERSHIP, "any") for kind in KINDS},  # C16: anything on a major one
    **{(kind, "especially_major"): (LEADERSHIP, "any") for kind in KINDS},
    ("press_release", "especially_major"): (LEADERSHIP, "all"),
    ("statement", "especially_major"): (LEADERSHIP, "all"),
}


@pytest.mark.parametrize("kind,severity", sorted(EXPECTED))
def test_c16_who_approves_each_kind_at_each_severity(office, clock, kind, severity):
    audience, quorum = EXPECTED[(kind, severity)]
    incident = incident_at(office, severity)
    draft = drafted(office, incident, kind=kind, body=f"{kind} 拟稿")
    approver, outsider = ((office.head, office.leader) if audience == HEAD
                          else (office.leader, office.head))

    with pytest.raises(NotPermitted):
        actions.approve_draft(draft, outsider.user, comment="同意")
    with pytest.raises(NotPermitted):  # the one who wrote it, whoever they are
        actions.approve_draft(draft, office.handler.user, comment="同意")
    after_first = actions.approve_draft(draft, approver.user, comment="同意")

    if quorum == "any":
        assert after_first.state == ResponseDraft.State.APPROVED
    else:
        assert after_first.state == ResponseDraft.State.PENDING
        done = actions.approve_draft(draft, office.deputy.user, comment="同意")
        assert done.state == ResponseDraft.State.APPROVED
