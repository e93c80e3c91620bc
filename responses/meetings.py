"""Meetings of the major procedure (C14, C15): the leadership group's emergency meeting and the
joint meeting (联席会议) a lead unit convenes; the tasks they hand out are incident deadlines,
owed by their owner and breached and escalated like any other; minutes are attached as a
type- and size-limited upload."""
import uuid

from django.conf import settings
from django.utils.translation import gettext as _

from incidents import deadlines
from incidents.actions.step import Step, step_context
from incidents.deadlines import local_time
from incidents.models import Deadline, Event, Incident
from opinion_ops.errors import InvalidInput, NotPermitted, TransitionNotAllowed
from organisation import policy
from organisation.actors import person_of
from plans.models import DeadlineKind

from .models import Meeting, MeetingTask

RECORD_PERMISSION = "incidents.classify_incident"  # the office and the leadership group

# What a minutes file may be: its extension, the bytes it starts with, the type it is served as.
MINUTES_TYPES = {
    "pdf": (b"%PDF-", "application/pdf"),
    "png": (b"\x89PNG\r\n\x1a\n", "image/png"),
    "jpg": (b"\xff\xd8\xff", "image/jpeg"),
    "jpeg": (b"\xff\xd8\xff", "image/jpeg"),
    "docx": (b"PK\x03\x04",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "txt": (b"", "text/plain; charset=utf-8"),
}


def hold_meeting(incident: Incident, actor, *, kind: str, held_at, attendees, agenda: str,
                 decisions: str, agreed_wording: str = "", release_approver=None,
                 lead_unit=None, tasks=(), late_reason: str = "") -> Meeting:
    """C14, C15: a meeting is recorded with its attendees, agenda and decisions, the agreed
    wording (口径) and who approves releases; each task it hands out is owed by its owner by its
    due time. An emergency meeting meets the major procedure's obligation to hold one."""
    errors = {}
    if kind == Meeting.Kind.JOINT and lead_unit is None:
        errors["lead_unit"] = _("联席会议须有牵头单位")
    if not list(attendees):
        errors["attendees"] = _("请填写参会人员")
    for task in tasks:
        if task["due_at"] <= held_at:
            errors["tasks"] = _("任务“%s”的完成时限须晚于会议时间") % task["title"]
    if errors:
        raise InvalidInput(errors)
    if actor is not None and not actor.has_perm(RECORD_PERMISSION):
        raise NotPermitted(_("会议由舆情办或领导小组记录"))
    with step_context(incident, actor, "meetings", Step(occurred_at=held_at,
                                                         late_reason=late_reason),
                      authorised=True) as s:
        if actor is not None and not policy.may_act_on_incident(actor, s.incident):
            raise NotPermitted(_("该事件不属于您的单位"))
        meeting = Meeting.objects.create(
            incident=s.incident, kind=kind, lead_unit=lead_unit, held_at=s.at, agenda=agenda,
            decisions=decisions, agreed_wording=agreed_wording,
            release_approver=release_approver, recorded_by=s.actor)
        meeting.attendees.set(attendees)
        s.record(Event.MEETING_HELD, clause="C15" if kind == Meeting.Kind.JOINT else "C14",
                 note=_("%(kind)s%(lead)s：%(decisions)s") % {
                     "kind": meeting.get_kind_display(),
                     "lead": _("（牵头单位：%s）") % lead_unit.name if lead_unit else "",
                     "decisions": decisions},
                 data={"meeting": meeting.pk, "attendees": [p.pk for p in attendees],
                       "release_approver": release_approver.pk if release_approver else None})
        if kind == Meeting.Kind.EMERGENCY:
            s.meet(DeadlineKind.EMERGENCY_MEETING)
        for task in tasks:
            _hand_out(s, meeting, task)
    return meeting


def _hand_out(s, meeting: Meeting, task: dict) -> MeetingTask:
    deadline = s.open(DeadlineKind.MEETING_TASK, start=s.at, owed_by_unit=task["owner_unit"],
                      owed_by_person=task.get("owner"), repeat=True, due_at=task["due_at"])
    if deadline is None:
        raise InvalidInput({"tasks": _("本事件适用的预案没有会议任务时限规则")})
    return MeetingTask.objects.create(meeting=meeting, title=task["title"],
                                      owner_unit=task["owner_unit"], owner=task.get("owner"),
                                      due_at=task["due_at"], deadline=deadline)


def complete_task(task: MeetingTask, actor, *, outcome: str, step: Step = Step()) -> MeetingTask:
    """C15: the owner reports a meeting task done; its deadline is met (late, if it was)."""
    if not outcome.strip():
        raise InvalidInput({"outcome": _("请填写完成情况")})
    person = person_of(actor)
    if actor is not None and not policy.is_office(actor) and \
            (person is None or person.unit_id != task.owner_unit_id):
        raise NotPermitted(_("只有责任单位（%s）或舆情办可以报告任务完成") % task.owner_unit.name)
    incident = task.meeting.incident
    with step_context(incident, actor, "meeting_task", step, authorised=True,
                      open_only=False) as s:
        locked = MeetingTask.objects.select_for_update(of=("self",)).get(pk=task.pk)
        if locked.done_at is not None:
            raise TransitionNotAllowed("complete_task", "done", _("已完成"),
                                       reason=_("任务已于 %s 完成") % local_time(locked.done_at))
        locked.done_at, locked.outcome = s.at, outcome
        locked.save(update_fields=["done_at", "outcome"])
        s.record(Event.MEETING_TASK_DONE, clause=locked.deadline.clause,
                 note=_("会议任务“%(title)s”完成：%(outcome)s") % {"title": locked.title,
                                                            "outcome": outcome},
                 data={"meeting": locked.meeting_id, "task": locked.pk})
        deadlines.meet_rows(s.incident, Deadline.objects.filter(pk=locked.deadline_id),
                            at=s.at, recorded_at=s.now, actor=s.actor)
    return locked


def minutes_type(upload) -> tuple[str, str]:
    """The checked extension and served type of a minutes upload; 400 on anything else. The
    first bytes must match the extension, so an HTML page renamed .pdf is refused."""
    limit = settings.MEETING_MINUTES_MAX_BYTES
    if upload.size > limit:
        raise InvalidInput({"minutes": _("会议纪要不得超过 %s MB") % (limit // (1024 * 1024))})
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in MINUTES_TYPES:
        raise InvalidInput({"minutes": _("会议纪要只接受 PDF、Word（docx）、纯文本或图片")})
    magic, served = MINUTES_TYPES[extension]
    head = upload.read(2048)
    upload.seek(0)
    if magic and not head.startswith(magic):
        raise InvalidInput({"minutes": _("文件内容与扩展名 .%s 不符") % extension})
    if extension == "txt":
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput({"minutes": _("纯文本纪要须为 UTF-8 编码")}) from None
        if head.lstrip().startswith(b"<"):
            raise InvalidInput({"minutes": _("纪要不能是网页或标记文档")})
    return extension, served


def attach_minutes(meeting: Meeting, actor, *, upload) -> Meeting:
    """C14, C15: the minutes are attached to the meeting (stored under a name of our own)."""
    extension, served = minutes_type(upload)
    if actor is not None and not actor.has_perm(RECORD_PERMISSION):
        raise NotPermitted(_("会议纪要由舆情办或领导小组上传"))
    with step_context(meeting.incident, actor, "meeting_minutes", authorised=True,
                      open_only=False) as s:
        locked = Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)
        locked.minutes.save(f"{uuid.uuid4().hex}.{extension}", upload, save=False)
        locked.minutes_type = served
        locked.save(update_fields=["minutes", "minutes_type"])
        s.record(Event.NOTE, clause="C15" if locked.kind == Meeting.Kind.JOINT else "C14",
                 note=_("上传%s纪要") % locked.get_kind_display(),
                 data={"meeting": locked.pk})
    return locked
