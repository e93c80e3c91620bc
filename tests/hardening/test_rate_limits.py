"""Rate limits on the API: over the limit a clear 429 with Retry-After (issue 15)."""
import pytest
from rest_framework.test import APIClient

from accounts import tokens

pytestmark = pytest.mark.django_db


def test_the_api_answers_429_with_retry_after_over_the_rate(org, settings):
    settings.API_RATE_LIMIT = "3/min"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(org.duty.user, name='x').key}")
    statuses = [client.get("/api/v1/incidents/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/incidents/")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    other = APIClient()
    other.force_authenticate(org.staff.user)  # counted per user
    assert other.get("/api/v1/incidents/").status_code == 200




def over_the_api_rate(client, path, settings, **headers):
    settings.API_RATE_LIMIT = "2/min"
    for _ in range(2):
        assert client.get(path, **headers).status_code == 200
    return client.get(path, **headers)


def test_an_api_429_says_when_to_retry_in_chinese_by_default(org, settings):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(org.duty.user, name='x').key}")
    refused = over_the_api_rate(client, "/api/v1/incidents/", settings)
    wait = int(refused["Retry-After"])
    assert refused.status_code == 429 and 0 < wait <= 60
    assert refused.json()["detail"] == f"请求过于频繁，请在{wait}秒后重试。" or (
        wait == 60 and refused.json()["detail"] == "请求过于频繁，请在1分钟后重试。")
    assert "Request was throttled" not in refused.content.decode()


def test_the_token_api_429_speaks_english_under_accept_language_en(org, settings):
    client = APIClient()
    client.force_authenticate(org.duty.user)
    refused = over_the_api_rate(client, "/api/v1/tokens/", settings, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    detail = refused.json()["detail"]
    assert detail.startswith("Too many requests; try again in ") and detail.endswith(" s.") or (
        detail == "Too many requests; try again in 1 min.")
    chinese = client.get("/api/v1/tokens/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.status_code == 429 and chinese.json()["detail"].startswith("请求过于频繁，请在")


def test_a_429_wait_is_said_as_a_natural_span_never_shorter_than_retry_after():
    from django.utils import translation

    from opinion_ops.api import throttled_detail
    with translation.override("zh-hans"):
        assert [throttled_detail(w) for w in (None, 46, 60, 61, 5400)] == [
            "请求过于频繁，请稍后重试。", "请求过于频繁，请在46秒后重试。",
            "请求过于频繁，请在1分钟后重试。", "请求过于频繁，请在2分钟后重试。",
            "请求过于频繁，请在1小时30分后重试。"]
    with translation.override("en"):
        assert throttled_detail(90) == "Too many requests; try again in 2 min."


LOGIN = "/accounts/login/"
RIGHT = "duty-Lantern-47-Orchid"


def login(username, password="wrong", address="10.1.1.1", path=LOGIN):
    from django.test import Client
    return Client(REMOTE_ADDR=address).post(path, {"username": username, "password": password})


def test_login_posts_per_user_name_over_the_rate_are_a_429_before_the_password(org, settings):
    settings.LOGIN_RATE_LIMIT, settings.AXES_FAILURE_LIMIT = 3, 100
    org.duty.user.set_password(RIGHT)
    org.duty.user.save()
    statuses = [login("duty", address=f"10.1.1.{n}").status_code for n in range(3)]
    assert statuses == [200, 200, 200]  # the form again, with its error
    refused = login("duty", RIGHT, address="10.1.1.9")  # any address, even the right password
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "登录尝试过于频繁" in refused.content.decode()
    assert "_auth_user_id" not in refused.wsgi_request.session
    assert login("staff", address="10.1.1.9").status_code == 200  # another name: its own count


def test_login_posts_per_address_over_the_rate_are_a_429(org, settings):
    settings.LOGIN_ADDRESS_RATE_LIMIT, settings.AXES_FAILURE_LIMIT = 3, 100
    statuses = [login(f"someone{n}", address="10.2.2.2").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert login("someone9", address="10.2.2.3").status_code == 200


def test_the_admin_login_is_limited_too(org, settings):
    settings.LOGIN_RATE_LIMIT, settings.AXES_FAILURE_LIMIT = 1, 100
    assert login("duty", path="/admin/login/").status_code == 200
    assert login("duty", path="/admin/login/").status_code == 429


def test_behind_the_proxy_the_login_rate_is_counted_per_client(org, settings):
    from django.test import Client
    settings.TRUSTED_PROXY_COUNT, settings.LOGIN_ADDRESS_RATE_LIMIT = 1, 2
    settings.AXES_FAILURE_LIMIT = 100

    def via_proxy(client, n):
        return Client(REMOTE_ADDR="192.168.10.2", HTTP_X_FORWARDED_FOR=client).post(
            LOGIN, {"username": f"someone{n}", "password": "wrong"}).status_code

    assert [via_proxy("10.0.0.1", n) for n in range(3)] == [200, 200, 429]
    assert via_proxy("10.0.0.2", 5) == 200  # the neighbour behind the same proxy
    assert via_proxy("10.0.0.2, 10.0.0.1", 6) == 429  # a forged entry changes nothing


def test_an_unreachable_cache_does_not_turn_a_login_into_a_server_error(org, settings,
                                                                      monkeypatch):
    from opinion_ops import rate_limits

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(rate_limits.cache, "add", down)
    settings.LOGIN_RATE_LIMIT = 1
    assert [login("duty").status_code for _ in range(3)] == [200, 200, 200]


def test_an_unreachable_cache_does_not_turn_an_api_request_into_a_server_error(org, settings,
                                                                              monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", down)
    settings.API_RATE_LIMIT = "1/min"
    client = APIClient()
    client.force_authenticate(org.duty.user)
    assert [client.get("/api/v1/incidents/").status_code for _ in range(3)] == [200] * 3
