"""get_FOO_display() from a table per field and language (opinion_ops.choice_labels)."""
from django.utils import translation

from incidents.models import Deadline, Incident, Severity, TimelineEntry
from opinion_ops.choice_labels import labels


def test_labels_follow_the_active_language():
    incident = Incident(severity=Severity.MAJOR)
    with translation.override("zh-hans"):
        assert incident.get_severity_display() == "重大"
    with translation.override("en"):
        english = incident.get_severity_display()
    assert english == "Major"
    with translation.override("zh-hans"):
        assert incident.get_severity_display() == "重大"  # not the English one cached


def test_a_value_that_is_not_a_choice_is_shown_as_itself():
    assert Incident(severity="nonsense").get_severity_display() == "nonsense"
    assert Incident(severity="").get_severity_display() == ""


def test_the_table_answers_as_django_does_for_every_choice():
    # Django's own get_FOO_display (the mixin's super) against the table, each choice.
    for model, name in [(Incident, "severity"), (Incident, "state"), (Deadline, "kind"),
                        (Deadline, "state"), (TimelineEntry, "event")]:
        field = model._meta.get_field(name)
        for value, _label in field.flatchoices:
            row = model(**{field.attname: value})
            with translation.override("en"):
                fast = getattr(row, f"get_{name}_display")()
                slow = _django_display(row, field)
            assert fast == slow, (model, name, value)
        assert set(labels(field)) == {value for value, _ in field.flatchoices}


def _django_display(row, field):
    from django.db.models import Model
    return Model._get_FIELD_display(row, field)
