"""The test harness's own promises: what the other tests stand on."""

from __future__ import annotations

import socket

from rdflib import Graph

from conftest import FIXTURES, client_port_range, free_port, isomorphic


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


def test_isomorphic_matches_blank_nodes_by_structure_not_by_name():
    """What every graph comparison of the suite rests on (:func:`conftest.isomorphic`)."""
    def graph(turtle: str) -> Graph:
        return Graph().parse(data="@prefix : <http://example.org/> .\n" + turtle, format="turtle")

    assert isomorphic(graph("_:a :p _:b . _:b :q 1 ."), graph("_:x :p _:y . _:y :q 1 ."))
    assert not isomorphic(graph("_:a :p _:b . _:b :q 1 ."), graph("_:a :p _:b . _:a :q 1 ."))
    assert not isomorphic(graph("_:a :p _:b ."), graph("_:a :p _:a ."))
    assert not isomorphic(graph(':s :p "1"^^<http://www.w3.org/2001/XMLSchema#integer> .'),
                          graph(':s :p "1"^^<http://www.w3.org/2001/XMLSchema#decimal> .'))
    assert not isomorphic(graph('_:a :p "x"@en .'), graph('_:a :p "x" .'))
    shapes = Graph().parse(FIXTURES / "shapes" / "base.ttl")
    changed = Graph().parse(FIXTURES / "shapes" / "base.ttl")
    changed.remove(next(iter(changed)))
    assert isomorphic(shapes, Graph().parse(FIXTURES / "shapes" / "base.ttl"))
    assert not isomorphic(shapes, changed)
