"""Container healthchecks: `python docker/healthcheck.py web|worker|scheduler`; exit 0 when healthy.

web: /health/live answers. worker: an RQ worker registered from this container
(its hostname) is in Redis. scheduler: the rqcron process is alive. Standard
library and redis only, so a check costs no Django start-up.
"""

import os
import socket
import sys
import urllib.request


def web() -> bool:
    with urllib.request.urlopen("http://127.0.0.1:8000/health/live", timeout=4) as response:  # noqa: S310
        return response.status == 200


def worker() -> bool:
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=4)
    host = socket.gethostname().encode()
    return any(client.hget(key, "hostname") == host for key in client.smembers("rq:workers"))


def scheduler() -> bool:
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if b"rqcron" in f.read():
                    return True
        except OSError:
            continue
    return False


if __name__ == "__main__":
    try:
        healthy = {"web": web, "worker": worker, "scheduler": scheduler}[sys.argv[1]]()
    except Exception as error:  # noqa: BLE001 - any failure is "unhealthy", said in one line
        print(f"unhealthy: {error}")
        healthy = False
    sys.exit(0 if healthy else 1)
