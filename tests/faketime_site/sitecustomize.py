"""Loaded by every Python child process of the clock-ahead pass (tests/conftest.py puts this folder on
PYTHONPATH only under libfaketime): the same time.sleep replacement as the test process itself, because
libfaketime with FAKETIME_DONT_FAKE_MONOTONIC=1 turns Python's monotonic clock_nanosleep into EINVAL."""

import threading
import time


def _sleep(seconds: float) -> None:
    threading.Event().wait(max(0.0, seconds))


time.sleep = _sleep
