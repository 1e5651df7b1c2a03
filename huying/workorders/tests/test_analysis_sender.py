"""The per-process sender that queues the analysis of pushed orders together
(huying/workorders/analysis.py ``Sender``)."""

from __future__ import annotations

import threading

import pytest

from huying.workorders.analysis import Sender, Traffic


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


class _FakeTime:
    """A clock that moves only when slept on (no waiting in the test)."""

    def __init__(self) -> None:
        self.now = 100.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.now += seconds


def test_the_background_analysis_waits_for_a_quiet_moment_or_at_most_longest() -> None:
    time = _FakeTime()
    traffic = Traffic(clock=time.clock, sleep=time.sleep)
    assert traffic.wait_for_quiet(quiet=0.25, longest=5) is True and time.now == 100.0  # nothing ran yet
    traffic.started()
    assert traffic.quiet_for() == 0.0
    # a request runs the whole time: the thread goes ahead after `longest`
    assert traffic.wait_for_quiet(quiet=0.25, longest=5) is False
    assert time.now == pytest.approx(105.0)
    traffic.finished()
    # the request just finished: a quarter of a second of quiet first
    assert traffic.wait_for_quiet(quiet=0.25, longest=5) is True
    assert time.now == pytest.approx(105.25)
    # two requests at once count as busy until both finished
    traffic.started()
    traffic.started()
    traffic.finished()
    assert traffic.quiet_for() == 0.0
    traffic.finished()
    traffic.finished()  # a stray finish never makes the count negative
    traffic.started()
    assert traffic.quiet_for() == 0.0


def test_the_background_thread_gives_way_before_each_chunk() -> None:
    sent: list[list[int]] = []
    ways: list[int] = []
    sender = Sender(sent.append, delay=3600, chunk=2, give_way=lambda: ways.append(len(sent)))
    sender.add([1, 2, 3, 4, 5])
    sender._flush_giving_way()
    assert sent == [[1, 2], [3, 4], [5]]
    # asked before each chunk was sent, and once more before finding nothing left
    assert ways == [0, 1, 2, 3]
    assert sender.pending() == []


def test_a_busy_process_sends_small_chunks_after_each_wait() -> None:
    """``give_way`` answering False (requests kept coming the whole wait): ``busy_chunk`` ids;
    True (a quiet moment): a whole ``chunk``."""
    sent: list[list[int]] = []
    answers = iter([False, False, True, False, True, True])  # the last before finding nothing left
    sender = Sender(sent.append, delay=3600, chunk=4, give_way=lambda: next(answers), busy_chunk=1)
    sender.add(list(range(1, 9)))
    sender._flush_giving_way()
    assert sent == [[1], [2], [3, 4, 5, 6], [7], [8]]
    assert sender.pending() == []


def test_the_embedded_analysis_takes_a_few_orders_while_busy() -> None:
    from huying.workorders import analysis

    assert analysis.local_sender._busy_chunk < analysis.local_sender._chunk
    assert analysis.sender._busy_chunk == analysis.sender._chunk  # to the workers: no waiting
