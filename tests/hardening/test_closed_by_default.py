"""Closed by default: DEBUG off unless set, `check --deploy` clean with nothing but a key and a
host, generated files only through a view that asks the access policy, schema and docs for
people who have logged in, a Content-Security-Policy without inline script, static files served
by the application (whitenoise)."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from briefings.models import Briefing
from incidents import actions
from incidents.models import Channel
from organisation import roles
from tests.factories import UnitFactory, incident_kwargs, person_with_role
from tests.hardening.helpers import client_for

BASE_DIR = Path(settings.BASE_DIR)
LONG_KEY = "k" * 20 + "-a-long-enough-and-varied-secret-key-0123456789"


def manage(*args, **env) -> subprocess.CompletedProcess:
    """manage.py in a clean environment: only what the operator set, nothing from bin/test."""
    keep = {k: v for k, v in os.environ.items()
            if k in ("PATH", "HOME", "LANG", "OPINIONOPS_VAR_DIR", "DATABASE_URL")}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, text=True,
                          capture_output=True, env={**keep, **env}, timeout=120)


def test_debug_is_off_unless_the_environment_sets_it():
    shown = manage("shell", "-c", "from django.conf import settings; print(settings.DEBUG)",
                   SECRET_KEY=LONG_KEY)
    assert shown.stdout.strip().splitlines()[-1] == "False", shown.stderr
    on = manage("shell", "-c", "from django.conf import settings; print(settings.DEBUG)",
                DEBUG="true")
    assert on.stdout.strip().splitlines()[-1] == "True", on.stderr


def test_without_a_key_and_debug_off_the_server_refuses_to_start():
    refused = manage("check")
    assert refused.returncode != 0 and "SECRET_KEY must be set" in refused.stderr


def test_check_deploy_is_clean_with_only_debug_off_a_key_and_a_host():
    checked = manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="false",
                     SECRET_KEY=LONG_KEY, ALLOWED_HOSTS="opinionops.example.gov")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "System check identified no issues" in checked.stdout


def test_plain_http_is_an_explicit_choice_that_check_deploy_reports():
    checked = manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="false",
                     SECRET_KEY=LONG_KEY, ALLOWED_HOSTS="x", SECURE_HTTPS="false")
    assert checked.returncode != 0
    assert "security.W008" in checked.stderr and "security.W012" in checked.stderr


@pytest.fixture
def briefing(org, django_capture_on_commit_callbacks):
    incident = actions.detect_incident(org.duty.user, **incident_kwargs(
        urgent=True, owner_unit=org.department))
    incident = actions.report_incident(incident, org.duty.user, actions.Step(
        channel=Channel.PHONE, recipient="舆情办 赵干事", note="电话报告"))
    with django_capture_on_commit_callbacks(execute=True):
        created = client_for(org.staff).post(f"/api/v1/incidents/{incident.pk}/briefings/",
                                              {"kind": "written_report"}, format="json")
    assert created.status_code == 202, created.data
    made = Briefing.objects.get(pk=created.data["id"])
    assert made.is_ready
    return made


def test_a_generated_file_is_stored_under_a_name_nobody_can_guess(briefing):
    name = Path(briefing.file.name).name
    assert str(briefing.pk) not in name.split("-")[0]
    assert re.fullmatch(r"written_report-[A-Za-z0-9_-]{32}\.pdf", name), name


def test_media_is_not_served_by_url_to_anyone(org, briefing):
    client = Client()
    client.force_login(org.staff.user)
    assert client.get(f"/{settings.MEDIA_URL}{briefing.file.name}").status_code == 404
    assert Client().get(f"/{settings.MEDIA_URL}{briefing.file.name}").status_code == 404


def test_anonymous_and_other_unit_downloads_of_a_generated_file_are_refused(org, briefing):
    url = f"/api/v1/briefings/{briefing.pk}/download/"
    anonymous = APIClient().get(url)
    assert anonymous.status_code in (401, 404) and b"%PDF" not in anonymous.content
    elsewhere = person_with_role(roles.DEPARTMENT_HANDLER, UnitFactory(name="后勤处"),
                                 "冯承办", "other-unit")
    assert client_for(elsewhere).get(url).status_code == 404
    page_client = Client()
    page_client.force_login(elsewhere.user)
    assert page_client.get(url).status_code == 404
    own = client_for(org.staff).get(url)
    assert own.status_code == 200 and b"".join(own.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_schema_and_docs_are_for_people_who_have_logged_in(org, url):
    assert APIClient().get(url).status_code in (401, 403)
    client = Client()
    client.force_login(org.handler.user)
    assert client.get(url).status_code == 200


def test_pages_carry_a_content_security_policy_without_inline_script(org):
    client = Client()
    client.force_login(org.staff.user)
    for url in ("/accounts/login/", "/api/docs/", "/admin/login/"):
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        assert directives["script-src"] == "'self'", url
        assert "'unsafe-inline'" not in directives["script-src"]
        assert directives["frame-ancestors"] == "'none'"


def test_the_api_docs_have_no_inline_script(org):
    client = Client()
    client.force_login(org.staff.user)
    html = client.get("/api/docs/").content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts
    assert all("src=" in attrs and not body.strip() for attrs, body in scripts), scripts
    start_up = client.get("/api/docs/?script=")
    assert start_up.status_code == 200 and "SwaggerUIBundle" in start_up.content.decode()


def test_static_files_are_served_by_the_application():
    response = Client().get("/static/admin/css/base.css")
    assert response.status_code == 200
    assert "whitenoise" in type(response).__module__ or response.get("Cache-Control")
