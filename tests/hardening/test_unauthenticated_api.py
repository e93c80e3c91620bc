"""401, not 403, for a request without credentials, on every operation of the API: the answer
says how to authenticate (WWW-Authenticate) and the schema declares it, with its body; 403
stays for a person whose role or unit may not."""
import re

import pytest
from rest_framework.test import APIClient

from tests.hardening.helpers import client_for

pytestmark = pytest.mark.django_db


def operations(org):
    schema = client_for(org.staff).get("/api/schema/?format=json").json()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield method, re.sub(r"\{[^}]+\}", "1", path), operation


def test_every_operation_answers_401_without_credentials_and_declares_it(org):
    seen = 0
    for method, url, operation in operations(org):
        response = getattr(APIClient(), method)(url, {}, format="json")
        assert response.status_code == 401, (method, url, response.status_code)
        assert response["WWW-Authenticate"].startswith("Token"), (method, url)
        assert {"401", "403"} <= set(operation["responses"]), (method, url)
        assert "detail" in response.json()
        seen += 1
    assert seen > 80


def test_a_bad_token_is_401_and_a_role_that_may_not_is_403(org):
    bad = APIClient(HTTP_AUTHORIZATION="Token not-a-token")
    assert bad.get("/api/v1/deliveries/").status_code == 401
    assert bad.get("/api/v1/inbox/").status_code == 401
    response = client_for(org.handler).post("/api/v1/briefings/", {"kind": "daily"},
                                            format="json")
    assert response.status_code == 403, response.content
