"""Shared by the hardening tests: API clients for the Org's people."""
from rest_framework.test import APIClient


def client_for(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person.user)
    return client


def post(person, url, data=None, **kwargs):
    kwargs.setdefault("format", "json")
    return client_for(person).post(url, data if data is not None else {}, **kwargs)


def raw_post(person, url, body: str):
    """A body sent as it is (not re-encoded by the client)."""
    return client_for(person).post(url, body, content_type="application/json")
