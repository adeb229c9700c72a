"""Create an application and a Ready environment in a running emulator, so a
person can try ``ebpack deploy`` without an AWS account or the aws CLI.

    python -m ebemu.seed --endpoint http://127.0.0.1:PORT --app APP --env ENV

Uses boto3 (installed with moto). Idempotent: existing ones are kept.
"""

from __future__ import annotations

import argparse
import time

import boto3

DEFAULT_STACK = "64bit Amazon Linux 2023 v4.2.0 running ECS"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m ebemu.seed", description=__doc__)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--app", required=True)
    parser.add_argument("--env", required=True)
    parser.add_argument("--stack", default=DEFAULT_STACK, help=f"solution stack (default: {DEFAULT_STACK})")
    args = parser.parse_args()

    eb = boto3.client(
        "elasticbeanstalk",
        endpoint_url=args.endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    if not eb.describe_applications(ApplicationNames=[args.app])["Applications"]:
        eb.create_application(ApplicationName=args.app)
    if not eb.describe_environments(EnvironmentNames=[args.env], IncludeDeleted=False)["Environments"]:
        eb.create_environment(
            ApplicationName=args.app, EnvironmentName=args.env, SolutionStackName=args.stack
        )
    while True:
        env = eb.describe_environments(EnvironmentNames=[args.env], IncludeDeleted=False)["Environments"][0]
        if env["Status"] == "Ready":
            break
        time.sleep(0.2)
    print(f"{args.app}/{args.env}: {env['Status']} {env['Health']} ({env['EnvironmentId']}, {env['CNAME']})")


if __name__ == "__main__":
    main()
