"""The comparison's boto3 client: GetComputeAuthToken in a loop on one client (one connection).

Usage: python boto3_client.py URL loop CALLS WARMUP
Prints {"wall_ns": [...], "cpu_ns": [...], "protocol": ...}. The start-to-first-token figure is
measured with `python -c` (see compare-run), not with this file.
"""

import json
import sys
import time

import boto3

FLEET = "fleet-1a2b3c4d"
COMPUTE = "game-server-1"


def main():
    url, mode, calls, warmup = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    assert mode == "loop"
    client = boto3.client(
        "gamelift",
        region_name="us-west-2",
        endpoint_url=url,
        aws_access_key_id="AKIDLOCALSTANDIN",
        aws_secret_access_key="localstandinsecret",
    )
    for _ in range(warmup):
        client.get_compute_auth_token(FleetId=FLEET, ComputeName=COMPUTE)["AuthToken"]
    wall, cpu = [], []
    mono, proc = time.monotonic_ns, time.process_time_ns
    for _ in range(calls):
        w0, c0 = mono(), proc()
        client.get_compute_auth_token(FleetId=FLEET, ComputeName=COMPUTE)["AuthToken"]
        c1, w1 = proc(), mono()
        wall.append(w1 - w0)
        cpu.append(c1 - c0)
    print(json.dumps({"wall_ns": wall, "cpu_ns": cpu}))


if __name__ == "__main__":
    main()
