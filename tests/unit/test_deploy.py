"""deploy/ validated without a cluster: Kubernetes schemas (kubernetes-validate), the
platform's own rules for its Deployments, and the compose file."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from scripts import validate_deploy as deploy


def test_base_overlay_and_compose_have_no_problems() -> None:
    assert deploy.all_problems() == []


def test_every_service_is_rendered_in_production_with_a_pinned_image() -> None:
    production = deploy.render(deploy.PRODUCTION)
    deployments = {m["metadata"]["name"]: m for m in production if m["kind"] == "Deployment"}
    assert set(deployments) == {f"ssp-{s}" for s in (*deploy.SERVICES, *deploy.WEB_SERVICES)}
    for manifest in production:
        if manifest["kind"] != "Namespace":
            assert manifest["metadata"]["namespace"] == "ssp"
    for container in deploy.containers(production):
        assert deploy.DIGEST.search(container["image"])
        assert container["resources"]["limits"]["memory"] == "1Gi"  # the JSON patch applied
    config = next(m for m in production if m["kind"] == "ConfigMap")
    assert config["data"]["SSP_ENVIRONMENT"] == "production"
    assert config["data"]["SSP_MUNICIPALITIES"]  # the base's settings kept by the merge


def _base() -> list[deploy.Manifest]:
    return deploy.render(deploy.BASE)


def _deployment(manifests: list[deploy.Manifest], service: str) -> deploy.Manifest:
    return next(
        m for m in manifests if m["kind"] == "Deployment" and m["metadata"]["name"] == service
    )


def test_an_unknown_field_fails_the_schema() -> None:
    manifests = _base()
    _deployment(manifests, "ssp-courses")["spec"]["template"]["spec"]["containers"][0][
        "livenessprobe"
    ] = {}
    assert any("livenessprobe" in p for p in deploy.schema_problems(manifests, "base"))


def test_the_platform_rules_name_each_breach() -> None:
    manifests = _base()
    courses = _deployment(manifests, "ssp-courses")
    courses["spec"]["strategy"] = {"type": "RollingUpdate"}
    container = courses["spec"]["template"]["spec"]["containers"][0]
    container["readinessProbe"]["httpGet"]["path"] = "/healthz"
    del container["resources"]["limits"]
    container["env"].append({"name": "INTAKE_PSEUDONYM_SECRET", "value": "inline"})
    manifests = [
        m
        for m in manifests
        if not (m["kind"] == "PodDisruptionBudget" and m["metadata"]["name"] == "ssp-triage")
    ]
    problems = "\n".join(deploy.platform_problems(manifests, "base"))
    assert "ssp-courses must run once" in problems
    assert "readiness probe is not /readyz" in problems
    assert "no cpu and memory limits" in problems
    assert "INTAKE_PSEUDONYM_SECRET inline" in problems
    assert "no PodDisruptionBudget ssp-triage" in problems


def test_compose_refuses_an_unpinned_image_and_a_missing_broker(tmp_path: Path) -> None:
    compose = yaml.safe_load((deploy.DEPLOY / "compose.yaml").read_text())
    changed = copy.deepcopy(compose)
    changed["services"]["jaeger"]["image"] = "jaegertracing/all-in-one:latest"
    del changed["services"]["kafka-3"]
    path = tmp_path / "compose.yaml"
    path.write_text(yaml.safe_dump(changed))
    problems = "\n".join(deploy.compose_problems(path))
    assert "jaeger: image 'jaegertracing/all-in-one:latest' not pinned by digest" in problems
    assert "no service kafka-3" in problems


def test_a_setting_production_requires_that_a_deployment_is_not_given_is_named() -> None:
    production = deploy.render(deploy.PRODUCTION)
    assert deploy.production_setting_problems(production, "production") == []
    triage = _deployment(production, "ssp-triage")["spec"]["template"]["spec"]["containers"][0]
    triage["env"] = [v for v in triage["env"] if v["name"] != "TRIAGE_KEY_WRAPPING_KEY"]
    console = _deployment(production, "ssp-console")["spec"]["template"]["spec"]["containers"][0]
    console["env"] = [v for v in console["env"] if v["name"] != "SSP_AUDIT_TERM_KEY"]
    next(m for m in production if m["kind"] == "ConfigMap")["data"]["CONSOLE_PUBLIC_URL"] = (
        "http://ssp.example.dk"
    )
    assert deploy.production_setting_problems(production, "production") == [
        "production: ssp-triage would not start: TRIAGE_KEY_WRAPPING_KEY is missing",
        "production: ssp-console would not start: SSP_AUDIT_TERM_KEY is missing",
        "production: ssp-console would not start: CONSOLE_PUBLIC_URL must be the https:// "
        "address people open",
    ]


def test_a_secret_the_deployments_read_but_a_template_lacks_is_named(tmp_path: Path) -> None:
    base = _base()
    assert deploy.secret_template_problems(base) == []
    secret = yaml.safe_load((deploy.BASE / "secret.example.yaml").read_text())
    del secret["stringData"]["TRIAGE_KEY_WRAPPING_KEY"]
    (tmp_path / "secret.example.yaml").write_text(yaml.safe_dump(secret))
    env = (deploy.DEPLOY / "compose" / "ssp.env.example").read_text()
    (tmp_path / "ssp.env.example").write_text(env.replace("SSP_AUDIT_TERM_KEY=", "# gone="))
    assert deploy.secret_template_problems(
        base, tmp_path / "secret.example.yaml", tmp_path / "ssp.env.example"
    ) == [
        "secret.example.yaml: no TRIAGE_KEY_WRAPPING_KEY (a Deployment reads it from ssp-secrets)",
        "ssp.env.example: no SSP_AUDIT_TERM_KEY (a Deployment reads it from ssp-secrets)",
    ]
