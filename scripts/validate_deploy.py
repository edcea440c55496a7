"""Checks `deploy/` without a cluster (none is reachable where the tests run).

- Every Kubernetes manifest of the Kustomize base, and the production overlay rendered by the
  small subset of Kustomize it uses (namespace, images, strategic-merge patches by kind and
  name, JSON 6902 patches by label target), validated against the Kubernetes API schemas that
  `kubernetes-validate` ships (strict: unknown fields are errors).
- The platform's own rules: every service (courses included) has a Deployment that runs once
  at a time (`strategy: Recreate`; the stateless console may run several), non-root with a
  read-only root, probes on /healthz and /readyz, resource limits, secrets only through
  Secret references, a PodDisruptionBudget, and is covered by the default-deny NetworkPolicy.
- In the production overlay, each service's settings class, read from the environment its
  Deployment gives (ConfigMap, values, Secret references), has no production problem: the
  service would start (`ssp run` refuses on any).
- Every key the Deployments read from `ssp-secrets` is in the Secret template and in the
  compose env example (`deploy/compose/ssp.env.example`).
- `deploy/compose.yaml`: YAML with the services it must have (three KRaft Kafka brokers,
  PostgreSQL, collector, Jaeger, Prometheus, the five services and the console), every pulled
  image pinned by digest.

`./ssp lint` runs it (`python -m scripts.validate_deploy`); tests/unit/test_deploy.py too. The
Kustomize subset it renders with is `scripts/kustomize_subset.py`.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml

from scripts.kustomize_subset import Manifest, containers, key, render

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
BASE = DEPLOY / "kubernetes" / "base"
PRODUCTION = DEPLOY / "kubernetes" / "overlays" / "production"
KUBERNETES_VERSION = "1.31.0"
SERVICES = ("intake", "triage", "notifications", "reporting", "courses")
#: Stateless web services (no store, no relay): may run several replicas with a rolling update.
WEB_SERVICES = ("console",)
DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")

# --------------------------------------------------------------------------------------------
# checks


def schema_problems(manifests: list[Manifest], where: str) -> list[str]:
    problems = []
    for manifest in manifests:
        try:
            kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            first = str(exc).splitlines()[0]
            problems.append(f"{where}: {manifest['kind']}/{manifest['metadata']['name']}: {first}")
    return problems


def platform_problems(manifests: list[Manifest], where: str) -> list[str]:
    problems: list[str] = []
    by_key = {key(m): m for m in manifests}
    deny = [
        m
        for m in manifests
        if m["kind"] == "NetworkPolicy"
        and set(m["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}
        and not m["spec"].get("ingress")
        and not m["spec"].get("egress")
    ]
    if not deny:
        problems.append(f"{where}: no default-deny NetworkPolicy")
    for service in (*SERVICES, *WEB_SERVICES):
        name = f"ssp-{service}"
        deployment = by_key.get(("Deployment", name))
        if deployment is None:
            problems.append(f"{where}: no Deployment {name}")
            continue
        if ("PodDisruptionBudget", name) not in by_key:
            problems.append(f"{where}: no PodDisruptionBudget {name}")
        spec = deployment["spec"]
        pod = spec["template"]["spec"]
        labels = spec["template"]["metadata"]["labels"]
        runs_once = spec.get("strategy", {}).get("type") == "Recreate" and spec.get("replicas") == 1
        if service in SERVICES and not runs_once:
            problems.append(f"{where}: {name} must run once: replicas 1, strategy Recreate")
        if not pod.get("securityContext", {}).get("runAsNonRoot"):
            problems.append(f"{where}: {name} may run as root")
        if not any(
            all(labels.get(k) == v for k, v in p["spec"]["podSelector"]["matchLabels"].items())
            for p in deny
        ):
            problems.append(f"{where}: {name} is not covered by the default-deny policy")
        for container in pod["containers"]:
            what = f"{where}: {name}/{container['name']}"
            if container.get("livenessProbe", {}).get("httpGet", {}).get("path") != "/healthz":
                problems.append(f"{what}: liveness probe is not /healthz")
            if container.get("readinessProbe", {}).get("httpGet", {}).get("path") != "/readyz":
                problems.append(f"{what}: readiness probe is not /readyz")
            limits = container.get("resources", {}).get("limits", {})
            if not {"cpu", "memory"} <= set(limits):
                problems.append(f"{what}: no cpu and memory limits")
            context = container.get("securityContext", {})
            if context.get("allowPrivilegeEscalation") is not False or not context.get(
                "readOnlyRootFilesystem"
            ):
                problems.append(f"{what}: privilege escalation or a writable root")
            for variable in container.get("env", []):
                secretish = re.search(r"SECRET|KEY|PASSWORD|DATABASE_URL|TOKEN", variable["name"])
                if secretish and "value" in variable:
                    problems.append(f"{what}: {variable['name']} inline, not from a Secret")
    for manifest in manifests:
        if manifest["kind"] == "Secret":
            problems.append(f"{where}: Secret {manifest['metadata']['name']} in the manifests")
    return problems


#: A secret's value where its shape is checked (a key: the base64 of 32 bytes fits the rest).
_SECRET_SHAPES = {"SSP_DATABASE_URL": "postgresql://ssp:generated@postgres:5432/ssp"}


def _deployment_env(config: dict[str, str], container: dict[str, Any]) -> dict[str, str]:
    """What the container's process sees: the ConfigMap, its own values, and for each Secret
    reference a generated value of the secret's shape (the Secret itself is not in git)."""
    env = dict(config)
    for variable in container.get("env", []):
        if "value" in variable:
            env[variable["name"]] = str(variable["value"])
        elif "secretKeyRef" in variable.get("valueFrom", {}):
            generated = base64.b64encode(secrets.token_bytes(32)).decode()
            env[variable["name"]] = _SECRET_SHAPES.get(variable["name"], generated)
    return env


_READ_SETTINGS = """
import json, os, sys
from ssp_platform.registry import settings_class
found = {}
for service, env in json.load(sys.stdin).items():
    os.environ.clear()
    os.environ.update(env)
    found[service] = settings_class(service)(_env_file=None).production_problems()
print(json.dumps(found))
"""
"""Run in a process of its own: each service's settings read from nothing but its
Deployment's environment, without touching this process's."""


def production_setting_problems(manifests: list[Manifest], where: str) -> list[str]:
    """What each service's settings class, read from the environment its Deployment gives
    (nothing else), finds wrong for production: a service refuses to start on any of it."""
    config = next(m for m in manifests if m["kind"] == "ConfigMap")["data"]
    environments: dict[str, dict[str, str]] = {}
    for service in (*SERVICES, *WEB_SERVICES):
        deployment = next(
            m
            for m in manifests
            if m["kind"] == "Deployment" and m["metadata"]["name"] == f"ssp-{service}"
        )
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        environments[service] = _deployment_env(config, container)
    answer = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [sys.executable, "-c", _READ_SETTINGS],
        input=json.dumps(environments),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)},
        check=True,
    )
    found: dict[str, list[str]] = json.loads(answer.stdout)
    return [
        f"{where}: ssp-{service} would not start: {problem}"
        for service, problems in found.items()
        for problem in problems
    ]


def compose_problems(path: Path = DEPLOY / "compose.yaml") -> list[str]:
    problems: list[str] = []
    compose = yaml.safe_load(path.read_text())
    services: dict[str, Any] = compose.get("services") or {}
    required = {
        "kafka-1",
        "kafka-2",
        "kafka-3",
        "postgres",
        "otel-collector",
        "jaeger",
        "prometheus",
        *SERVICES,
        *WEB_SERVICES,
    }
    for missing in sorted(required - set(services)):
        problems.append(f"compose: no service {missing}")
    voters = set()
    for name, service in services.items():
        image = service.get("image", "")
        if "build" not in service and not DIGEST.search(image):
            problems.append(f"compose: {name}: image {image!r} not pinned by digest")
        if name.startswith("kafka-"):
            env = service.get("environment", {})
            if "controller" not in env.get("KAFKA_PROCESS_ROLES", ""):
                problems.append(f"compose: {name} is not a KRaft controller")
            voters.add(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS"))
        if name in WEB_SERVICES and service.get("command") != [name]:
            problems.append(f"compose: {name} does not run `ssp run {name}`")
        if name in SERVICES:
            if service.get("command") != [name]:
                problems.append(f"compose: {name} does not run `ssp run {name}`")
            env = service.get("environment", {})
            if env.get("KAFKA_BOOTSTRAP_SERVERS", "").count("kafka-") != 3:
                problems.append(f"compose: {name} does not know all three brokers")
    if len(voters) != 1:
        problems.append(f"compose: the brokers disagree on the controller quorum: {voters}")
    for relative in ("compose/otel-collector.yaml", "compose/prometheus.yml"):
        yaml.safe_load((DEPLOY / relative).read_text())
    return problems


def secret_template_problems(
    manifests: list[Manifest],
    secret_template: Path = BASE / "secret.example.yaml",
    env_template: Path = DEPLOY / "compose" / "ssp.env.example",
) -> list[str]:
    """Every key the Deployments read from `ssp-secrets` (optional ones aside) is in the two
    templates people fill in: the Secret's and the compose env file's."""
    referenced = {
        variable["valueFrom"]["secretKeyRef"]["key"]
        for container in containers(manifests)
        for variable in container.get("env", [])
        if "secretKeyRef" in variable.get("valueFrom", {})
        and not variable["valueFrom"]["secretKeyRef"].get("optional")
    }
    in_secret = set(yaml.safe_load(secret_template.read_text()).get("stringData") or {})
    in_env = {
        line.partition("=")[0].strip()
        for line in env_template.read_text().splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    }
    problems = [
        f"{secret_template.name}: no {name} (a Deployment reads it from ssp-secrets)"
        for name in sorted(referenced - in_secret)
    ]
    problems += [
        f"{env_template.name}: no {name} (a Deployment reads it from ssp-secrets)"
        for name in sorted(referenced - in_env)
    ]
    return problems


def all_problems() -> list[str]:
    base = render(BASE)
    production = render(PRODUCTION)
    problems = schema_problems(base, "base") + schema_problems(production, "production")
    problems += platform_problems(base, "base") + platform_problems(production, "production")
    for container in containers(production):
        if not DIGEST.search(container["image"]):
            problems.append(f"production: {container['name']} image not pinned by digest")
    config = next(m for m in production if m["kind"] == "ConfigMap")["data"]
    if config.get("SSP_ENVIRONMENT") != "production":
        problems.append("production: SSP_ENVIRONMENT is not production (fail closed)")
    if config.get("SSP_KAFKA_SECURITY_PROTOCOL") not in ("SSL", "SASL_SSL"):
        problems.append("production: Kafka without TLS")
    problems += production_setting_problems(production, "production")
    problems += secret_template_problems(base)
    problems += compose_problems()
    return problems


def main() -> int:
    problems = all_problems()
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print(
        f"deploy/: Kubernetes base and production overlay valid for Kubernetes "
        f"{KUBERNETES_VERSION} (schemas of kubernetes-validate, no cluster), compose.yaml complete"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
