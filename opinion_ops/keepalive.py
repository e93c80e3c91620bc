"""Run a command and start it again whenever it exits on its own, like systemd's Restart=always.

Celery 5.7's worker exits with "Unrecoverable error: AttributeError(... 'hostname')" when it
loses its Redis connection (celery/worker/consumer/consumer.py closes the dead connection
outside its error guard). Deadlines do not depend on the worker surviving — the rows wait for
the next sweep — but someone must start it again: in production the service manager, here this.

    python -m opinion_ops.keepalive python -m celery -A opinion_ops worker …

SIGTERM or SIGINT is passed on to the command and ends the loop.
"""
import signal
import subprocess
import sys
import time

RESTART_DELAY_SECONDS = 1.0


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m opinion_ops.keepalive COMMAND [ARGS…]", file=sys.stderr)
        return 2
    stopping = False
    child: subprocess.Popen | None = None

    def forward(signum, frame):
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    while True:
        child = subprocess.Popen(argv)
        status = child.wait()
        if stopping:
            return status
        print(f"keepalive: {argv[0]} exited with {status}; starting it again",
              file=sys.stderr, flush=True)
        time.sleep(RESTART_DELAY_SECONDS)
        if stopping:
            return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
