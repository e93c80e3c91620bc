"""How drafts, statements and meetings read in the API (times in the office's zone)."""
from rest_framework import serializers

from . import diffs
from .models import (Decision, DraftVersion, Meeting, MeetingTask, Publication, ResponseDraft,
                     Statement)


class DecisionSerializer(serializers.ModelSerializer):
    approver = serializers.CharField(source="approver.name")

    class Meta:
        model = Decision
        fields = ["approver", "verdict", "comment", "decided_at"]


class PublicationSerializer(serializers.ModelSerializer):
    published_by = serializers.CharField(source="published_by.name")

    class Meta:
        model = Publication
        fields = ["id", "where", "url", "published_by", "published_at"]


class VersionSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="number")
    author = serializers.SerializerMethodField()
    decisions = DecisionSerializer(many=True, read_only=True)
    publications = PublicationSerializer(many=True, read_only=True)
    approval_due_at = serializers.DateTimeField(source="approval_deadline.due_at", default=None)

    class Meta:
        model = DraftVersion
        fields = ["version", "body", "author", "written_at", "approval_due_at", "approved_at",
                  "decisions", "publications"]

    def get_author(self, version) -> str:
        person = getattr(version.author, "person", None)
        return person.name if person else (version.author.get_username()
                                           if version.author else "")


def _diff(old: str, new: str) -> list[dict]:
    return [{"op": run.op, "text": run.text} for run in diffs.segments(old, new)]


class DraftSerializer(serializers.ModelSerializer):
    body = serializers.SerializerMethodField()
    versions = VersionSerializer(many=True, read_only=True)
    diff = serializers.SerializerMethodField(help_text="The current version against the one "
                                                       "before it (or the library wording).")

    class Meta:
        model = ResponseDraft
        fields = ["id", "incident", "kind", "state", "version", "body", "statement",
                  "named_publisher", "created_at", "diff", "versions"]

    def _by_number(self, draft) -> dict[int, DraftVersion]:
        return {v.number: v for v in draft.versions.all()}

    def get_body(self, draft) -> str:
        return self._by_number(draft)[draft.version].body

    def get_diff(self, draft) -> list[dict]:
        versions = self._by_number(draft)
        current = versions[draft.version]
        if draft.version > 1:
            return _diff(versions[draft.version - 1].body, current.body)
        if draft.statement_id:
            return _diff(draft.statement.body, current.body)
        return []


class StatementSerializer(serializers.ModelSerializer):
    approved_by = serializers.CharField(source="approved_by.name")

    class Meta:
        model = Statement
        fields = ["id", "topic", "body", "approved_by", "approved_at", "source_version",
                  "added_at"]


class TaskSerializer(serializers.ModelSerializer):
    owner_unit = serializers.CharField(source="owner_unit.name")
    owner = serializers.CharField(source="owner.name", default=None)
    deadline_state = serializers.CharField(source="deadline.state")

    class Meta:
        model = MeetingTask
        fields = ["id", "title", "owner_unit", "owner", "due_at", "deadline", "deadline_state",
                  "done_at", "outcome"]


class MeetingSerializer(serializers.ModelSerializer):
    tasks = TaskSerializer(many=True, read_only=True)
    has_minutes = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = ["id", "incident", "kind", "lead_unit", "held_at", "attendees", "agenda",
                  "decisions", "agreed_wording", "release_approver", "has_minutes", "tasks"]

    def get_has_minutes(self, meeting) -> bool:
        return bool(meeting.minutes)
