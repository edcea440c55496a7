"""The relay's partitioner chooses exactly the partition aiokafka's default chooses: every
message of a journal or a person stays in the partition the earlier ones went to."""

from __future__ import annotations

from aiokafka.partitioner import DefaultPartitioner
from aiokafka.partitioner import murmur2 as aiokafka_murmur2
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.messaging.partitioner import Partitioner, murmur2

partition_lists = st.integers(min_value=1, max_value=300).map(lambda n: list(range(n)))


@settings(max_examples=2000)
@given(st.binary(max_size=200))
def test_murmur2_is_aiokafkas(key: bytes) -> None:
    assert murmur2(key) == aiokafka_murmur2(key)


@settings(max_examples=1000)
@given(
    st.lists(st.binary(max_size=64), min_size=1, max_size=20),
    st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=64, unique=True),
    st.integers(min_value=0, max_value=5),
)
def test_partition_is_aiokafkas(
    keys: list[bytes], all_partitions: list[int], remember: int
) -> None:
    # Any list of partitions (aiokafka hands over its set as a list), and a memory small
    # enough to be cleared while the keys come again.
    partitioner = Partitioner(remember=remember)
    for key in keys + keys:
        expected = DefaultPartitioner()(key, all_partitions, all_partitions)
        assert partitioner(key, all_partitions, all_partitions) == expected
        assert partitioner(bytearray(key), all_partitions, []) == expected


def test_realistic_keys_keep_their_partition() -> None:
    partitioner = Partitioner()
    for n in (1, 3, 6, 12, 24):
        partitions = list(range(n))
        for i in range(2000):
            for key in (f"pk_{i * 7919:016x}", f"3700-{i:05d}-00456-26", f"{i:08x}-2a0d-4c55"):
                encoded = key.encode()
                assert partitioner(encoded, partitions, partitions) == DefaultPartitioner()(
                    encoded, partitions, partitions
                )


@given(st.integers(min_value=1, max_value=20), st.data())
def test_no_key_goes_to_an_available_partition(count: int, data: st.DataObject) -> None:
    all_partitions = list(range(count))
    available = data.draw(st.lists(st.sampled_from(all_partitions), unique=True))
    chosen = Partitioner()(None, all_partitions, available)
    assert chosen in (available or all_partitions)


async def test_the_relay_producer_uses_it() -> None:
    from shared.messaging.broker import make_relay_producer
    from shared.settings import PlatformSettings

    producer = make_relay_producer(PlatformSettings(), "localhost:9092", client_id="test")
    assert isinstance(producer._partitioner, Partitioner)
