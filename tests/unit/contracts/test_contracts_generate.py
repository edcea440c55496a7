from __future__ import annotations

import json
from pathlib import Path

import yaml

from shared.contracts import TOPICS
from shared.contracts.generate import ASYNCAPI_PATH, ROOT, SCHEMA_DIR, check, render, write


def test_generated_files_match_the_models() -> None:
    drifted = check()
    assert drifted == [], (
        f"regenerate with `python -m shared.contracts.generate`: {[str(p) for p in drifted]}"
    )


def test_check_detects_missing_changed_and_stale_files(tmp_path: Path) -> None:
    assert set(check(tmp_path)) == set(render(tmp_path))
    write(tmp_path)
    assert check(tmp_path) == []
    schema = tmp_path / SCHEMA_DIR.relative_to(ROOT) / "PoliceIncident.schema.json"
    schema.write_text(schema.read_text() + " ", encoding="utf-8")
    stale = schema.with_name("Gone.schema.json")
    stale.write_text("{}\n", encoding="utf-8")
    assert set(check(tmp_path)) == {schema, stale}
    write(tmp_path)
    assert check(tmp_path) == [] and not stale.exists()


def test_schema_files_are_sorted_indented_with_trailing_newline() -> None:
    for path, content in render().items():
        if path.suffix == ".json":
            doc = json.loads(content)
            assert content == json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
            assert doc["$schema"].startswith("https://json-schema.org/")


def test_asyncapi_documents_every_topic() -> None:
    doc = yaml.safe_load(render()[ASYNCAPI_PATH])
    assert doc["asyncapi"] == "3.0.0"
    addresses = {c["address"]: (cid, c) for cid, c in doc["channels"].items()}
    assert set(addresses) == set(TOPICS)
    schemas = doc["components"]["schemas"]
    messages = doc["components"]["messages"]
    for name, spec in TOPICS.items():
        channel_id, channel = addresses[name]
        [(message_id, ref)] = channel["messages"].items()
        message = messages[message_id]
        assert ref == {"$ref": f"#/components/messages/{message_id}"}
        assert message["bindings"]["kafka"]["key"]["description"] == spec.key
        assert channel["bindings"]["kafka"]["partitions"] == spec.partitions
        if spec.message is not None:
            assert message["payload"] == {"$ref": f"#/components/schemas/{spec.message.__name__}"}
            assert spec.message.__name__ in schemas
        else:
            assert "ssp-dlq-origin-topic" in message["headers"]["properties"]
        actions = {
            op["action"]
            for op in doc["operations"].values()
            if op["channel"] == {"$ref": f"#/channels/{channel_id}"}
        }
        expected = {"external-in": {"receive"}, "external-out": {"send"}}.get(
            str(spec.direction), {"send", "receive"}
        )
        assert actions == expected
    # every internal reference resolves
    text = render()[ASYNCAPI_PATH]
    for line in text.splitlines():
        if "$ref: '#/" in line:
            pointer = line.split("'#/")[1].rstrip("'").split("/")
            node = doc
            for part in pointer:
                node = node[part]
