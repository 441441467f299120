"""A loopback port for a server that must be told its port before it starts; prints it when run.

Not a port the kernel hands out for port 0: that comes from the ephemeral range, which the kernel
also gives every outgoing connection as its local port, so under load a client's connection could
take it before the server binds it (EADDRINUSE). A port below that range is never handed out that
way; only another explicit bind could take it. Shared by scripts/lib/processes.sh and
Tests/Interop/interop_support.py (the same choice as the Swift tests' ListeningPort)."""
import random
import socket

LOWEST = 10000


def ephemeral_start():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 49152  # IANA's dynamic ports


def free_port():
    start = ephemeral_start()
    low = LOWEST if start > LOWEST + 1000 else 1024
    for _ in range(200):
        port = random.randint(low, start - 1)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as s:  # every try taken (hardly possible): let the kernel choose
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    print(free_port())
