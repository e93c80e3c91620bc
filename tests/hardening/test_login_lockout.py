"""Login lockout per user name and per address (django-axes), and the office's unlock in the
admin (issue 15, "Logins and tokens")."""
import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
RIGHT = "duty-Lantern-47-Orchid"


@pytest.fixture
def duty(org):
    org.duty.user.set_password(RIGHT)
    org.duty.user.save()
    return org.duty.user


def attempt(username, password, address="10.1.1.1"):
    return Client(REMOTE_ADDR=address).post(LOGIN, {"username": username, "password": password})


def test_after_the_limit_even_the_right_password_is_refused_with_a_clear_429(duty):
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [attempt("duty", "wrong").status_code for _ in range(limit)]
    assert statuses == [200] * (limit - 1) + [429]  # the failure that reaches it locks
    locked = attempt("duty", RIGHT, address="10.9.9.9")  # per user: from any address
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert "_auth_user_id" not in locked.wsgi_request.session


def test_one_address_trying_many_names_is_locked_out(duty):
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(f"someone{n}", "wrong", address="10.2.2.2")
    assert attempt("duty", RIGHT, address="10.2.2.2").status_code == 429
    assert attempt("duty", RIGHT, address="10.3.3.3").status_code == 302  # another address


def test_the_office_unlocks_in_the_admin_and_the_right_password_logs_in(duty):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt("duty", "wrong")
    assert attempt("duty", RIGHT).status_code == 429
    admin = get_user_model().objects.create_superuser("root", password="x-Long-enough-99")
    office = Client()
    office.force_login(admin)
    ids = [str(pk) for pk in AccessAttempt.objects.values_list("pk", flat=True)]
    assert ids
    done = office.post("/admin/axes/accessattempt/", {"action": "delete_selected",
                                                      "_selected_action": ids, "post": "yes"})
    assert done.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert attempt("duty", RIGHT).status_code == 302
