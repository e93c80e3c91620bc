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

