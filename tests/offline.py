"""Run a module with Python's internet sockets disabled: `python tests/offline.py -m MODULE [ARGS]`.

The fallback of the offline test where a network namespace (`unshare -rn`) is not allowed."""

import runpy
import socket
import sys

_connect = socket.socket.connect


def _no_network(self, address, *args, **kwargs):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        raise OSError(f"network disabled for this build (tried to reach {address!r})")
    return _connect(self, address, *args, **kwargs)


socket.socket.connect = _no_network
socket.create_connection = lambda *a, **k: (_ for _ in ()).throw(OSError("network disabled for this build"))

if __name__ == "__main__":
    if sys.argv[1:2] != ["-m"] or len(sys.argv) < 3:
        raise SystemExit("usage: python tests/offline.py -m MODULE [ARGS]")
    module = sys.argv[2]
    sys.argv = [module] + sys.argv[3:]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
