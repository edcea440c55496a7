"""The relay's partitioner chooses exactly the partition aiokafka's default chooses: every
message of a journal or a person stays in the partition the earlier ones went to."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.partitioner import murmur2 as aiokafka_murmur2
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.messaging.broker import make_relay_producer
from shared.messaging.partitioner import Partitioner, RelayProducer, murmur2
from shared.settings import PlatformSettings

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
    producer = make_relay_producer(PlatformSettings(), "localhost:9092", client_id="test")
    assert isinstance(producer, RelayProducer)
    assert isinstance(producer._partitioner, Partitioner)


def _metadata_response(partitions: dict[str, list[int]]) -> Any:
    """A MetadataResponse (v1) as aiokafka's ClusterMetadata reads it: topic -> each
    partition's leader (-1: none)."""
    return SimpleNamespace(
        API_VERSION=1,
        brokers=[(1, "localhost", 9092, None)],
        controller_id=1,
        topics=[
            (0, topic, False, [(0, p, leader, [1], [1]) for p, leader in enumerate(leaders)])
            for topic, leaders in partitions.items()
        ],
    )


async def test_aiokafka_replaces_a_topics_partition_map_on_each_update() -> None:
    """What RelayProducer's kept lists rely on."""
    producer = RelayProducer(bootstrap_servers="localhost:9092")
    metadata = producer._metadata
    metadata.update_metadata(_metadata_response({"a": [1, 1], "b": [1]}))
    before = metadata._partitions["a"]
    metadata.update_metadata(_metadata_response({"a": [1, 1], "b": [1]}))
    assert metadata._partitions["a"] is not before
    assert metadata._partitions["a"] == before


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from([1, -1]), min_size=1, max_size=30), min_size=1, max_size=4),
    st.lists(st.binary(min_size=1, max_size=40), min_size=1, max_size=10),
)
async def test_relay_producer_partitions_as_aiokafka(
    updates: list[list[int]], keys: list[bytes]
) -> None:
    """Through metadata updates (partitions added, leaders lost), every key goes where
    aiokafka's producer (with its default partitioner) sends it; a message without a key to a
    partition with a leader."""
    ours = make_relay_producer(PlatformSettings(), "localhost:9092", client_id="test")
    theirs = AIOKafkaProducer(bootstrap_servers="localhost:9092")
    for leaders in updates:
        for producer in (ours, theirs):
            producer._metadata.update_metadata(_metadata_response({"t": leaders, "u": [1, 1]}))
        for topic in ("t", "u"):
            for key in keys:
                assert ours._partition(topic, None, None, None, key, b"") == theirs._partition(
                    topic, None, None, None, key, b""
                )
        chosen = ours._partition("t", None, None, None, None, b"")
        assert leaders[chosen] != -1 or all(leader == -1 for leader in leaders)
        assert ours._partition("t", 0, None, None, b"k", b"") == 0
