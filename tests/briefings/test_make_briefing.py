"""make_briefing: the same documents from the command line, with one-line reasons on failure."""
import pypdf
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from briefings.models import Briefing
from incidents import actions
from tests.factories import incident_kwargs


@pytest.fixture
def incident(org):
    return actions.detect_incident(org.duty.user, **incident_kwargs())


def test_writes_a_numbered_written_report(incident, tmp_path, capsys):
    out = tmp_path / "report.pdf"
    call_command("make_briefing", "--kind", "written_report", "--incident", str(incident.pk),
                 "-o", str(out))
    assert len(pypdf.PdfReader(out).pages) >= 1
    assert "舆情办〔" in capsys.readouterr().out
    assert Briefing.objects.get().status == "ready"


@pytest.mark.parametrize("kind", ["follow_up", "summary", "audit"])
def test_every_incident_kind(incident, tmp_path, kind):
    out = tmp_path / f"{kind}.pdf"
    call_command("make_briefing", "--kind", kind, "--incident", str(incident.pk), "-o", str(out),
                 "--lang", "en")
    assert "Audit" in out.read_bytes().decode("latin-1") or out.stat().st_size > 1000


@pytest.mark.parametrize("kind", ["bulletin", "audit"])
def test_period_kinds(db, tmp_path, kind):
    out = tmp_path / "period.pdf"
    call_command("make_briefing", "--kind", kind, "--from", "2026-03-01", "--to", "2026-03-07",
                 "-o", str(out))
    assert len(pypdf.PdfReader(out).pages) >= 1


@pytest.mark.parametrize("arguments, reason", [
    (["--kind", "memo", "--incident", "1"], "unknown kind"),
    (["--kind", "written_report", "--incident", "999999"], "does not exist"),
    (["--kind", "written_report"], "舆情事件"),
    (["--kind", "bulletin", "--from", "2026-03-01", "--to", "yesterday"], "--to must be a date"),
])
def test_bad_arguments_fail_with_a_reason(db, tmp_path, arguments, reason):
    with pytest.raises(CommandError, match=reason):
        call_command("make_briefing", *arguments, "-o", str(tmp_path / "x.pdf"))
    assert not Briefing.objects.exists()


def test_unwritable_path_fails_before_a_number_is_used(incident, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("make_briefing", "--kind", "audit", "--incident", str(incident.pk),
                     "-o", str(tmp_path / "missing" / "x.pdf"))
    assert not Briefing.objects.exists()


def test_exit_code_is_non_zero_from_the_shell(db, tmp_path):
    import subprocess
    import sys
    result = subprocess.run([sys.executable, "manage.py", "make_briefing", "--kind", "memo",
                             "-o", str(tmp_path / "x.pdf")], capture_output=True, text=True)
    assert result.returncode != 0
    assert "unknown kind" in result.stderr and len(result.stderr.strip().splitlines()) == 1
