"""API tokens: hashed at rest, named, scoped, expiring, revoked by owner and office, ended by a
password change; revoked and expired tokens are 401 (issue 15, "Logins and tokens")."""
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import tokens
from accounts.models import ApiToken, digest

pytestmark = pytest.mark.django_db
URL = "/api/v1/incidents/"


def client_with(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_tokens_are_stored_hashed_and_named(org):
    issued = tokens.issue(org.duty.user, name="监测脚本")
    row = ApiToken.objects.get(pk=issued.token.pk)
    assert row.key_digest == digest(issued.key) and issued.key not in row.key_digest
    assert row.last4 == issued.key[-4:] and row.name == "监测脚本"
    assert client_with(issued.key).get(URL).status_code == 200


def test_revoked_and_expired_tokens_are_401(org):
    revoked = tokens.issue(org.duty.user, name="a")
    tokens.revoke(revoked.token, "test")
    expired = tokens.issue(org.duty.user, name="b")
    ApiToken.objects.filter(pk=expired.token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1))
    for key in (revoked.key, expired.key, "oo_unknown"):
        response = client_with(key).get(URL)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"


def test_a_password_change_ends_every_token_of_the_user(org):
    issued = tokens.issue(org.duty.user, name="a")
    user = org.duty.user
    user.set_password("a-much-longer-passphrase-2026")
    user.save()
    assert client_with(issued.key).get(URL).status_code == 401


def test_owner_lists_issues_and_revokes_through_the_api_and_others_cannot_see_them(org):
    owner = APIClient()
    owner.force_authenticate(org.duty.user)
    created = owner.post("/api/v1/tokens/", {"name": "脚本", "days": 7}, format="json")
    assert created.status_code == 201
    key = created.data["key"]
    listed = owner.get("/api/v1/tokens/").data["results"]
    assert [t["name"] for t in listed] == ["脚本"] and "key" not in listed[0]
    handler = APIClient()
    handler.force_authenticate(org.handler.user)
    assert handler.get("/api/v1/tokens/").data["results"] == []
    assert handler.post(f"/api/v1/tokens/{created.data['id']}/revoke/").status_code == 404
    assert owner.post(f"/api/v1/tokens/{created.data['id']}/revoke/").status_code == 200
    assert client_with(key).get(URL).status_code == 401


def test_the_office_sees_and_revokes_anyones_token(org):
    issued = tokens.issue(org.handler.user, name="处置脚本")
    office = APIClient()
    office.force_authenticate(org.staff.user)
    names = [t["name"] for t in office.get("/api/v1/tokens/").data["results"]]
    assert "处置脚本" in names
    assert office.post(f"/api/v1/tokens/{issued.token.pk}/revoke/").status_code == 200
    assert client_with(issued.key).get(URL).status_code == 401


def test_scope_only_verbs_of_the_owners_role_and_only_those_verbs_write(org):
    owner = APIClient()
    owner.force_authenticate(org.handler.user)
    refused = owner.post("/api/v1/tokens/", {"name": "x", "verbs": ["no-such-verb"]},
                         format="json")
    assert refused.status_code == 400 and "verbs" in refused.data
    scoped = tokens.issue(org.duty.user, name="只读", verbs=["no-verb-at-all"])
    client = client_with(scoped.key)
    assert client.get(URL).status_code == 200
    assert client.post(URL, {}, format="json").status_code == 403  # creating is not in scope
    may_detect = tokens.issue(org.duty.user, name="登记", verbs=["detect"])
    assert client_with(may_detect.key).post(URL, {}, format="json").status_code == 400


def test_a_scope_names_exact_verbs_report_is_not_verbal_report(org):
    from tests.incidents.helpers import detect
    incident = detect(org, owner_unit=org.department)
    scoped = tokens.issue(org.duty.user, name="报告", verbs=["report"])
    refused = client_with(scoped.key).post(f"{URL}{incident.pk}/verbal-report/", {},
                                           format="json")
    assert refused.status_code == 403


def test_a_token_cannot_issue_tokens_only_a_person_who_logged_in_can(org):
    issued = tokens.issue(org.duty.user, name="脚本")
    refused = client_with(issued.key).post("/api/v1/tokens/", {"name": "new"}, format="json")
    assert refused.status_code == 403
    assert ApiToken.objects.filter(user=org.duty.user).count() == 1


def test_the_key_is_never_in_the_admin_list_nor_in_a_log_line(org, caplog):
    from django.contrib.auth import get_user_model
    from django.test import Client
    issued = tokens.issue(org.duty.user, name="脚本")
    with caplog.at_level("DEBUG"):
        client_with(issued.key).get(URL)
        client_with(issued.key + "x").get(URL)
    assert issued.key not in caplog.text
    admin = get_user_model().objects.create_superuser("root", password="x-Long-enough-99")
    page = Client()
    page.force_login(admin)
    listing = page.get("/admin/accounts/apitoken/")
    assert listing.status_code == 200 and "脚本" in listing.content.decode()
    assert issued.key not in listing.content.decode()
    assert issued.key not in page.get(f"/admin/accounts/apitoken/{issued.token.pk}/change/")\
        .content.decode()


def test_token_page_shows_the_key_once_and_revokes(org):
    from django.test import Client
    page = Client()
    page.force_login(org.duty.user)
    shown = page.post("/tokens/", {"name": "页面令牌", "days": "30"})
    assert shown.status_code == 200 and "no-store" in shown["Cache-Control"]
    token = ApiToken.objects.get(name="页面令牌")
    assert "oo_" in shown.content.decode()
    listing = page.get("/tokens/").content.decode()
    assert "oo_" not in listing and f"…{token.last4}" in listing
    page.post("/tokens/", {"revoke": str(token.pk)})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_office_revokes_anyones_token_on_the_page(org):
    from django.test import Client
    issued = tokens.issue(org.handler.user, name="处置脚本")
    page = Client()
    page.force_login(org.staff.user)
    assert "处置脚本" in page.get("/tokens/").content.decode()
    page.post("/tokens/", {"revoke": str(issued.token.pk)})
    assert client_with(issued.key).get(URL).status_code == 401
    other = Client()
    other.force_login(org.duty.user)
    mine = tokens.issue(org.staff.user, name="办公室脚本")
    assert other.post("/tokens/", {"revoke": str(mine.token.pk)}).status_code == 404


def test_intake_sources_get_a_hashed_named_expiring_token(org):
    from intake.sources import api_token, create_source
    source = create_source(kind="api", name="监测平台", unit_id=org.department.pk)
    key = api_token(source)
    row = ApiToken.objects.get(user=source.api_user)
    assert row.key_digest == digest(key) and row.name == "intake: 监测平台"
    assert row.expires_at > timezone.now() + timedelta(days=300)
