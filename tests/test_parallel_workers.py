"""tests/support/parallel.py: xdist workers never share a Redis database or a var directory."""
import pytest

from tests.support.parallel import redis_url_for_worker


def test_the_first_worker_keeps_the_redis_database_it_was_given():
    assert redis_url_for_worker("redis://127.0.0.1:6379/9", 0) == "redis://127.0.0.1:6379/9"


def test_each_further_worker_takes_the_next_redis_database_on_the_same_server():
    assert redis_url_for_worker("redis://:pw@10.0.0.5:6380/9", 2) == "redis://:pw@10.0.0.5:6380/11"
    assert redis_url_for_worker("redis://127.0.0.1:6379", 1) == "redis://127.0.0.1:6379/1"


def test_a_worker_past_redis_s_sixteen_databases_is_refused_not_wrapped_onto_another():
    with pytest.raises(RuntimeError, match="database 16"):
        redis_url_for_worker("redis://127.0.0.1:6379/14", 2)
