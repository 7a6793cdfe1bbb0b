"""The test harness's own promises: what the other tests stand on."""

from __future__ import annotations

import socket

from conftest import client_port_range, free_port


def test_address_already_in_use_a_server_port_is_never_one_the_kernel_gives_to_clients():
    """Regression: servers were given ports from the range the kernel hands to outgoing
    connections, and one of the suite's own requests took such a port before Oxigraph
    server bound it ("Address already in use", four tests erred)."""
    clients = client_port_range()
    ports = {free_port() for _ in range(200)}
    assert not ports & set(clients)
    for port in ports:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))  # free, as promised


def test_a_client_connection_takes_a_port_from_the_clients_range():
    # What the regression above rests on: an outgoing connection's own port is in that range.
    with socket.socket() as server:
        server.bind(("127.0.0.1", free_port()))
        server.listen()
        with socket.create_connection(server.getsockname()) as client:
            assert client.getsockname()[1] in client_port_range()
