"""opinion_ops.keepalive starts a command again after it dies, and stops with the signal."""
import signal
import subprocess
import sys
import time


def test_keepalive_restarts_a_crashed_command_and_stops_on_sigterm(tmp_path):
    counter = tmp_path / "starts"
    script = (f"import pathlib, sys, time; p = pathlib.Path({str(counter)!r}); "
              "n = int(p.read_text() or 0) if p.exists() else 0; p.write_text(str(n + 1)); "
              "sys.exit(1) if n == 0 else time.sleep(60)")
    keeper = subprocess.Popen([sys.executable, "-m", "opinion_ops.keepalive", sys.executable,
                               "-c", script], stderr=subprocess.PIPE)
    give_up = time.monotonic() + 20
    while not (counter.exists() and counter.read_text() == "2"):
        assert time.monotonic() < give_up, "the command was not started again"
        time.sleep(0.05)
    keeper.send_signal(signal.SIGTERM)
    assert keeper.wait(timeout=10) != 0
    assert b"starting it again" in keeper.stderr.read()
    assert counter.read_text() == "2"
