"""The small subset of Kustomize that `deploy/kubernetes` uses, nothing more: resources,
labels, namespace, images, strategic-merge patches by kind and name, JSON 6902 patches by
label target. `scripts/validate_deploy.py` renders the production overlay with it, as no
cluster (and no `kubectl`) is reachable where the tests run; anything else in a
kustomization is refused, not ignored."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

Manifest = dict[str, Any]


def load_documents(path: Path) -> list[Manifest]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def key(manifest: Manifest) -> tuple[str, str]:
    return manifest["kind"], manifest["metadata"]["name"]


def render(directory: Path) -> list[Manifest]:
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unknown = set(kustomization) - {
        "apiVersion",
        "kind",
        "namespace",
        "labels",
        "resources",
        "images",
        "patches",
    }
    if unknown:
        raise ValueError(f"{directory}: kustomization uses {sorted(unknown)}, not rendered here")
    manifests: list[Manifest] = []
    for resource in kustomization.get("resources", []):
        path = directory / resource
        manifests.extend(render(path) if path.is_dir() else load_documents(path))
    for label in kustomization.get("labels", []):
        for manifest in manifests:
            manifest["metadata"].setdefault("labels", {}).update(label["pairs"])
    for patch in kustomization.get("patches", []):
        body = yaml.safe_load((directory / patch["path"]).read_text())
        target = patch.get("target")
        if target is None:
            matches = [m for m in manifests if key(m) == key(body)]
            if len(matches) != 1:
                raise ValueError(f"patch {patch['path']}: {len(matches)} targets for {key(body)}")
            _merge(matches[0], body)
        else:
            selected = [m for m in manifests if _selected(m, target)]
            if not selected:
                raise ValueError(f"patch {patch['path']}: no resource matches {target}")
            for manifest in selected:
                _json6902(manifest, body)
    if "namespace" in kustomization:
        for manifest in manifests:
            if manifest["kind"] != "Namespace":
                manifest["metadata"]["namespace"] = kustomization["namespace"]
    for image in kustomization.get("images", []):
        for container in containers(manifests):
            if container["image"].split(":")[0].split("@")[0] == image["name"]:
                name = image.get("newName", image["name"])
                container["image"] = (
                    f"{name}@{image['digest']}"
                    if "digest" in image
                    else f"{name}:{image.get('newTag', 'latest')}"
                )
    return manifests


def _selected(manifest: Manifest, target: dict[str, str]) -> bool:
    if "kind" in target and manifest["kind"] != target["kind"]:
        return False
    if "name" in target and manifest["metadata"]["name"] != target["name"]:
        return False
    if "labelSelector" in target:
        labels = manifest["metadata"].get("labels", {})
        for term in target["labelSelector"].split(","):
            key, _, value = term.partition("=")
            if labels.get(key.strip()) != value.strip():
                return False
    return True


def _merge(into: Any, patch: Any) -> None:
    """Strategic merge as far as used here: maps merge, lists of named items merge by name,
    other lists are replaced."""
    for key, value in patch.items():
        current = into.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            _merge(current, value)
        elif (
            isinstance(current, list)
            and isinstance(value, list)
            and all(isinstance(v, dict) and "name" in v for v in [*current, *value])
        ):
            by_name = {item["name"]: item for item in current}
            for item in value:
                if item["name"] in by_name:
                    _merge(by_name[item["name"]], item)
                else:
                    current.append(copy.deepcopy(item))
        else:
            into[key] = copy.deepcopy(value)


def _json6902(manifest: Manifest, operations: list[dict[str, Any]]) -> None:
    for operation in operations:
        *parents, last = operation["path"].strip("/").split("/")
        node: Any = manifest
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        value = copy.deepcopy(operation.get("value"))
        if operation["op"] == "add" and isinstance(node, list):
            if last == "-":
                node.append(value)
            else:
                node.insert(int(last), value)
        elif operation["op"] in ("add", "replace"):
            if isinstance(node, list):
                node[int(last)] = value
            else:
                if operation["op"] == "replace" and last not in node:
                    raise ValueError(f"replace of missing {operation['path']}")
                node[last] = value
        elif operation["op"] == "remove":
            del node[int(last) if isinstance(node, list) else last]
        else:
            raise ValueError(f"JSON patch op {operation['op']!r} not rendered here")


def containers(manifests: list[Manifest]) -> Iterator[dict[str, Any]]:
    for manifest in manifests:
        if manifest["kind"] == "Deployment":
            yield from manifest["spec"]["template"]["spec"]["containers"]
