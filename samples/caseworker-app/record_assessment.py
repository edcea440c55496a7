"""Record a caseworker's assessment (or the meeting with the family) through notifications'
API, as a caseworker app without Kafka write access would (docs/subscribing.md, "Recording the
assessment: Kafka or HTTP"). Imports nothing from the platform: httpx only.

    uv run python samples/caseworker-app/record_assessment.py \\
        --notifications http://127.0.0.1:8083 --token "$CASEWORKER_APP_TOKEN" \\
        --journal 3700-80123-00456-26 --person pk_… --outcome summon --caseworker ABJ
    # … and after the meeting:
        … --family-meeting 2026-11-20 --youth-attended
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

import httpx


def assessment_request(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """The path and body: an assessment, or the family meeting when `--family-meeting`."""
    common = {"journal_number": args.journal, "person_key": args.person}
    if args.family_meeting:
        return "/v1/assessments/family-meeting", {
            **common,
            "held_on": args.family_meeting,
            "caseworker": args.caseworker,
            "youth_attended": args.youth_attended,
        }
    return "/v1/assessments", {**common, "outcome": args.outcome, "caseworker": args.caseworker}


def record(client: httpx.Client, token: str, args: argparse.Namespace) -> tuple[int, Any]:
    """(status, answer). 404: not one of the app's persons (or unknown); 409 `not_summoned` or
    `not_caseworker_route`; 422: a field (`{error, message, field}` or `problems`)."""
    path, body = assessment_request(args)
    response = client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.json()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notifications", default=os.environ.get("SSP_NOTIFICATIONS_URL"))
    parser.add_argument("--token", default=os.environ.get("CASEWORKER_APP_TOKEN"))
    parser.add_argument("--journal", required=True)
    parser.add_argument("--person", required=True)
    parser.add_argument("--caseworker", required=True, help="the caseworker's initials")
    parser.add_argument("--outcome", choices=["inform", "summon"], default="inform")
    parser.add_argument("--family-meeting", metavar="YYYY-MM-DD", default=None)
    parser.add_argument("--youth-attended", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.notifications or not args.token:
        print("--notifications and --token (or their environment variables) are needed")
        return 2
    with httpx.Client(base_url=args.notifications, timeout=30) as client:
        status, answer = record(client, args.token, args)
    print(status, json.dumps(answer, ensure_ascii=False))
    return 0 if status < 400 else 1


if __name__ == "__main__":
    sys.exit(main())
