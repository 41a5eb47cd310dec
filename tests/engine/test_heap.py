"""The daemon freezes what it loaded, once per stage, so full collections skip it."""

from __future__ import annotations

import gc

from schedules import heap


def test_each_stage_freezes_the_heap_once_and_later_garbage_is_still_collected() -> None:
    before = gc.get_freeze_count()
    assert heap.settle("test stage", collect=True) is True
    frozen = gc.get_freeze_count()
    assert frozen > before
    assert heap.settle("test stage") is False  # once per process
    assert gc.get_freeze_count() == frozen

    class Node:
        other: object = None

    a, b = Node(), Node()
    a.other, b.other = b, a  # a cycle made after the freeze
    del a, b
    assert gc.collect() >= 2  # still found and freed
