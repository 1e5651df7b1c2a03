"""The per-process sender that queues the analysis of pushed orders together
(huying/workorders/analysis.py ``Sender``)."""

from __future__ import annotations

import threading

from huying.workorders.analysis import Sender


def test_flush_sends_what_was_added_in_order_in_chunks() -> None:
    sent: list[list[int]] = []
    sender = Sender(sent.append, delay=3600, chunk=3)
    sender.add([1, 2])
    sender.add([3, 4, 5, 6, 7])
    assert sender.pending() == [1, 2, 3, 4, 5, 6, 7]
    assert sender.flush() == 7
    assert sent == [[1, 2, 3], [4, 5, 6], [7]]
    assert sender.pending() == [] and sender.flush() == 0 and len(sent) == 3


def test_the_background_thread_sends_what_is_added() -> None:
    sent: list[int] = []
    done = threading.Event()

    def send(ids: list[int]) -> None:
        sent.extend(ids)
        if len(sent) == 3:
            done.set()

    sender = Sender(send, delay=0.05)
    sender.add([10])
    sender.add([11, 12])
    assert done.wait(timeout=60)
    assert sent == [10, 11, 12] and sender.pending() == []


def test_a_failing_send_does_not_stop_the_sender() -> None:
    calls: list[list[int]] = []
    first, second = threading.Event(), threading.Event()

    def send(ids: list[int]) -> None:
        calls.append(ids)
        if len(calls) == 1:
            first.set()
            raise ConnectionError("broker down")
        second.set()

    sender = Sender(send, delay=0)
    sender.add([1])
    assert first.wait(timeout=60)
    # the first task is lost (the catch-up job analyses order 1 later); the thread lives on
    sender.add([2])
    assert second.wait(timeout=60)
    assert calls == [[1], [2]]
