"""Both embedding models load and embed with the network unreachable and no cache to read from.

A child process gets an empty HOME (no hub cache), HF_HUB_OFFLINE=1, every
proxy aimed at a closed loopback port, and an audit hook that refuses and
records any socket connection to a non-loopback address. It must still load
each model from its wheel and embed.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import ipaddress, json, socket, sys

attempts = []

def refuse_network(event, args):
    if event != "socket.connect":
        return
    address = args[1]
    host = address[0] if isinstance(address, tuple) else address
    try:
        local = isinstance(host, str) and (host.startswith("/") or ipaddress.ip_address(host).is_loopback)
    except ValueError:  # a name, not an address: resolving it already needed the network
        local = False
    if not local:
        attempts.append(str(address))
        raise ConnectionRefusedError(f"network is unreachable in this test: {address}")

sys.addaudithook(refuse_network)
socket.getaddrinfo = lambda *a, **k: (_ for _ in ()).throw(OSError("no DNS in this test"))

from vectors import embedders

out = {}
for name in sys.argv[1:]:
    embedder = embedders.load(name)
    vectors = embedder.documents(["Café Central, Herrengasse 14, Wien", "Louvre Museum, Paris"])
    query = embedder.query("coffee")
    out[name] = {"shape": list(vectors.shape), "query": list(query.shape),
                 "coffee_first": bool(vectors[0] @ query > vectors[1] @ query)}
loading = list(attempts)
probe = socket.socket()
try:  # the hook itself works: a real attempt is refused and recorded
    probe.connect(("192.0.2.1", 80))
except OSError:
    pass
finally:
    probe.close()
print(json.dumps({"models": out, "attempts": loading, "probe": attempts[len(loading):]}))
"""


@pytest.mark.parametrize("model", ["wordllama-256", "e5-small-384"])
def test_the_model_loads_and_embeds_with_the_network_unreachable(model, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": "/usr/bin:/bin", "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"),
        "HF_HOME": str(home / "hf"), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
        "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "ALL_PROXY": "http://127.0.0.1:9",
        "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "NO_PROXY": "",
        "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "datalake.settings",
    }
    done = subprocess.run([sys.executable, "-c", CHILD, model], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=False)

    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["attempts"] == []
    assert result["probe"] == ["('192.0.2.1', 80)"]
    dim = {"wordllama-256": 256, "e5-small-384": 384}[model]
    assert result["models"][model] == {"shape": [2, dim], "query": [dim], "coffee_first": True}
    assert not any(home.rglob("*"))  # nothing was cached, nothing fetched
