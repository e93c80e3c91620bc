"""The review's record (C20, audit.reviews) that the core's `review` verb waits for."""
from audit.reviews import record_review


def review_recorded(org, incident):
    """The auditor writes the record: the leadership group's member reviewed it."""
    return record_review(incident, org.auditor.user, reviewers=[org.leader],
                         conclusion="报告及时", lessons="续报间隔可缩短")
