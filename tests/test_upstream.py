"""Talking to an external store, piece by piece: its messages, its errors, its answers' bytes.

No store here but a bare socket server (for a store that drops connections); the rest
are the functions that read what stores send, run on what Virtuoso and Oxigraph send.
"""

from __future__ import annotations

import socket
import threading

import pyoxigraph as ox
import pytest

from conftest import FIXTURES, invoke_nkd
from nkd.errors import (PayloadTooLarge, QuerySyntaxError, StoreBusy, StoreFailed, StoreRefused, UpstreamError,
                           UpstreamTimeout)
from nkd.negotiation import CSV, JSON, NTRIPLES, XML
from nkd.query_errors import located, parse_error
from nkd.store_quirks import with_limit
from nkd.remote_results import at_most_lines, capped, check_complete, virtuoso_labels
from nkd.upstream import html_text, query_error, store_message

BASE = "https://w3id.org/nkd/sparql"
VIRTUOSO_403 = b"""<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">
<html>
  <head>
    <title>SPARQL Graph Protocol request failed</title>
  </head>
  <body>
    <h1>HTTP/1.1 403 Forbidden</h1>
    <h3>Error 42000</h3>
<xmp>SQ110:SECURITY: Permission denied for delete from DB.DBA.RDF_QUAD (user ID = 107)</xmp></body></html>"""

VIRTUOSO_500 = b"""Virtuoso 42001 Error SR185: Undefined procedure DB.DBA.http://example.org/fn.

SPARQL query:
define sql:big-data-const 0 SELECT (<http://example.org/fn>(1) AS ?x) WHERE {}"""


# --------------------------------------------------------------------------- the store's words


def test_an_html_error_page_is_reduced_to_its_text():
    text = store_message(VIRTUOSO_403, "text/html; charset=UTF-8")
    assert text.splitlines() == ["HTTP/1.1 403 Forbidden", "Error 42000",
                                 "SQ110:SECURITY: Permission denied for delete from DB.DBA.RDF_QUAD (user ID = 107)"]


def test_html_text_skips_scripts_and_styles():
    assert html_text("<html><head><style>p{}</style></head><body><p>one</p><script>x()</script>"
                     "<p>two &amp; three</p></body></html>") == "one\ntwo & three"


def test_virtuosos_echo_of_the_query_is_left_out():
    assert store_message(VIRTUOSO_500, "text/plain") == \
        "Virtuoso 42001 Error SR185: Undefined procedure DB.DBA.http://example.org/fn."


def test_a_long_message_is_cut():
    assert len(store_message(b"x" * 5000, "text/plain")) <= 1001


@pytest.mark.parametrize("status, message, error, status_code", [
    (500, "Virtuoso S1T00 Error SR171: Transaction timed out", UpstreamTimeout, 504),
    (500, "Virtuoso 42000 Error The estimated execution time 13192 (sec) exceeds the limit of 400 (sec).",
     UpstreamTimeout, 504),
    (500, "Virtuoso 42001 Error SR185: Undefined procedure DB.DBA.http://example.org/fn.", StoreRefused, 400),
    (400, "Virtuoso 37000 Error SP030: SPARQL compiler, line 1: syntax error at '}' before '}'", StoreRefused, 400),
    (500, "Virtuoso 37000 Error SQ156: Internal Optimized compiler error", StoreFailed, 500),
    (503, "busy", StoreBusy, 503),
    (414, "", PayloadTooLarge, 413),
    (403, "no", StoreFailed, 500),
])
def test_each_store_error_is_what_it_is(status, message, error, status_code):
    found = query_error(status, message)
    assert type(found) is error and found.status == status_code
    assert message in found.message


def test_a_missing_function_is_named():
    found = query_error(500, "Virtuoso 42001 Error SR185: Undefined procedure DB.DBA.http://example.org/fn.")
    assert "does not support the function <http://example.org/fn>" in found.message


def test_a_query_the_store_refuses_that_is_not_sparql_gets_nkds_position():
    text = "SELECT * WHERE {\n  ?s ?p \n}"
    found = located(query_error(400, "Virtuoso 37000 Error SP030: SPARQL compiler, line 3: syntax error"), text, BASE)
    assert isinstance(found, QuerySyntaxError) and found.line == 3 and found.column >= 1
    assert found.excerpt.endswith("^")  # the line, with a caret under the place


def test_a_valid_query_the_store_refuses_keeps_the_stores_words():
    found = located(query_error(400, "not supported here"), "SELECT * WHERE { ?s <p> ?o }", BASE)
    assert isinstance(found, StoreRefused) and "not supported here" in found.message


# Before, a query the store refused was parsed by running it on an empty store, in the
# request's thread and outside every limit: sorting the product of six VALUES blocks
# (10^12 rows) used all the memory there was.
RUNAWAY = ("SELECT * WHERE { " + " ".join(f"VALUES ?x{i} {{ {' '.join(map(str, range(100)))} }}" for i in range(6))
           + " } ORDER BY ?x1")


@pytest.mark.timeout(30)
@pytest.mark.parametrize("text", [RUNAWAY, RUNAWAY.replace("SELECT *", "SELECT (COUNT(*) AS ?n)"),
                                  RUNAWAY.replace("SELECT *", "CONSTRUCT { ?x1 ?x2 ?x3 }"),
                                  RUNAWAY.replace("SELECT *", "ASK").replace(" ORDER BY ?x1", ""),
                                  RUNAWAY.replace("SELECT *", "DESCRIBE ?x1")])
def test_parse_error_never_runs_the_query(text):
    assert parse_error(text, BASE) is None
    refused = query_error(400, "Virtuoso 37000 Error SP031: too big")
    assert located(refused, text, BASE) is refused


def test_parse_error_locates_a_mistake_and_passes_what_only_evaluation_refuses():
    found = parse_error("SELECT * WHERE {\n  ?s ?p \n}", BASE)
    assert isinstance(found, QuerySyntaxError) and found.line == 3
    # a function the engine lacks is refused when the query runs, not when it is parsed
    assert parse_error("PREFIX fn: <http://www.w3.org/2005/xpath-functions#> "
                       "SELECT (fn:upper-case('a') AS ?x) WHERE {}", BASE) is None


# --------------------------------------------------------------------------- the store's bytes


def chunked(data: bytes, size: int) -> list[bytes]:
    """``data`` in pieces of ``size`` bytes, to cut through whatever lies at a boundary."""
    return [data[i:i + size] for i in range(0, len(data), size)]


VIRTUOSO_JSON = b"""
{ "head": { "link": [], "vars": ["s", "o"] },
  "results": { "distinct": false, "ordered": true, "bindings": [
    { "s": { "type": "bnode", "value": "nodeID://b10495" }\t, "o": { "type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#decimal", "value": "1.5" }},
    { "s": { "type": "bnode", "value": "nodeID://b10501" }\t, "o": { "type": "literal", "xml:lang": "ko", "value": "\\uD14C" }} ] } }"""
VIRTUOSO_XML = b"""<sparql xmlns="http://www.w3.org/2005/sparql-results#">
 <head>
  <variable name="s"/>
 </head>
 <results distinct="false" ordered="true">
  <result>
   <binding name="s"><bnode>nodeID://b10495</bnode></binding>
  </result>
 </results>
</sparql>"""
VIRTUOSO_CSV = b'"s","o"\n"nodeID://b10495","nodeID://b1 is a literal, with a comma"\n"nodeID://b10501",1.5\n'


@pytest.mark.parametrize("size", [1, 7, 64, 10_000])
def test_virtuosos_json_becomes_standard_sparql_json(size):
    fixed = b"".join(virtuoso_labels(iter(chunked(VIRTUOSO_JSON, size)), JSON))
    rows = list(ox.parse_query_results(fixed, ox.QueryResultsFormat.JSON))
    assert [str(row["s"]) for row in rows] == ["_:b10495", "_:b10501"]
    assert b"typed-literal" not in fixed and str(rows[0]["o"]) == '"1.5"^^<http://www.w3.org/2001/XMLSchema#decimal>'


@pytest.mark.parametrize("size", [1, 13, 10_000])
def test_virtuosos_xml_and_csv_get_plain_blank_node_labels(size):
    xml = b"".join(virtuoso_labels(iter(chunked(VIRTUOSO_XML, size)), XML))
    assert [str(row["s"]) for row in ox.parse_query_results(xml, ox.QueryResultsFormat.XML)] == ["_:b10495"]
    csv = b"".join(virtuoso_labels(iter(chunked(VIRTUOSO_CSV, size)), CSV))
    assert csv == b'"s","o"\n_:b10495,"nodeID://b1 is a literal, with a comma"\n_:b10501,1.5\n'


@pytest.mark.parametrize("body, fmt, complete", [
    (b'{"head":{},"boolean":true}\n', JSON, True),
    (b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":', JSON, False),
    (b"<sparql><results></results></sparql>\n", XML, True),
    (b"<sparql><results><result>", XML, False),
    (b"<x:s> <x:p> <x:o> .\n", NTRIPLES, True),
    (b"<x:s> <x:p> <x:o> .\n<x:s> <x:p", NTRIPLES, False),
    (b"# Empty NT\n", NTRIPLES, True),
    (b'"s"\n"a', CSV, True),  # CSV cannot tell
])
def test_an_answer_that_stops_mid_document_is_caught(body, fmt, complete):
    flow = check_complete(iter(chunked(body, 5)), fmt, fmt.media_type)
    if complete:
        assert b"".join(flow) == body
    else:
        with pytest.raises(UpstreamError, match="cut short"):
            b"".join(flow)


def test_the_size_limit_is_checked_as_bytes_flow():
    flow = capped(iter([b"x" * 600, b"x" * 600]), 1000)
    assert next(flow) == b"x" * 600
    with pytest.raises(PayloadTooLarge):
        next(flow)


def test_an_ntriples_answer_reaching_the_cap_is_refused():
    lines = b"<x:s> <x:p> <x:o> .\n" * 10
    assert b"".join(at_most_lines(iter(chunked(lines, 7)), 11, lambda: PayloadTooLarge("cap"))) == lines
    with pytest.raises(PayloadTooLarge):
        b"".join(at_most_lines(iter(chunked(lines, 7)), 10, lambda: PayloadTooLarge("cap")))


# --------------------------------------------------------------------------- LIMIT for a page


@pytest.mark.parametrize("text, expected", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT * WHERE { ?s ?p ?o }\nLIMIT 11\n"),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 5", "SELECT * WHERE { ?s ?p ?o } LIMIT 5"),
    ("SELECT * WHERE { ?s ?p ?o } limit 500 OFFSET 3", "SELECT * WHERE { ?s ?p ?o } limit 11 OFFSET 3"),
    ("SELECT * WHERE { { SELECT * WHERE { ?s ?p ?o } LIMIT 50 } }",
     "SELECT * WHERE { { SELECT * WHERE { ?s ?p ?o } LIMIT 50 } }\nLIMIT 11\n"),
    ("SELECT * WHERE { ?s ?p ?o } VALUES ?s { <x:a> }", "SELECT * WHERE { ?s ?p ?o } LIMIT 11\nVALUES ?s { <x:a> }"),
    ("SELECT * WHERE { VALUES ?s { 1 } ?s ?p ?o } # LIMIT 2",
     "SELECT * WHERE { VALUES ?s { 1 } ?s ?p ?o } # LIMIT 2\nLIMIT 11\n"),
    ('SELECT * WHERE { ?s ?p "LIMIT 3" }', 'SELECT * WHERE { ?s ?p "LIMIT 3" }\nLIMIT 11\n'),
])
def test_a_page_asks_the_store_for_one_row_more_than_it_shows(text, expected):
    limited = with_limit(text, 11)
    assert limited == expected
    ox.Store().query(limited)  # still SPARQL


# --------------------------------------------------------------------------- retries


class DroppingStore:
    """A 'store' on loopback that reads each request whole, counts it, and hangs up."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.requests = 0
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/sparql"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                head, body = data.split(b"\r\n\r\n", 1)
                length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                                  if line.lower().startswith(b"content-length")))
                while len(body) < length:
                    body += conn.recv(65536)
                self.requests += 1  # the query reached the store; it may well run it


def test_a_query_is_not_sent_twice_when_the_store_drops_the_connection():
    from nkd.remote import RemoteEngine
    from nkd.settings import load_settings
    from nkd.sparql import check_query

    store = DroppingStore()
    settings = load_settings(environ={})
    engine = RemoteEngine(store.url, settings)
    with pytest.raises(UpstreamError) as caught:
        engine.table(check_query("ASK {}", settings), 1)
    assert store.requests == 1
    assert "closed the connection without a complete answer" in caught.value.message
    assert caught.value.status == 502


def test_push_sends_a_graph_once_when_the_store_drops_the_connection():
    store = DroppingStore()
    failed = invoke_nkd("push", "--to", store.url.replace("/sparql", "/store"), str(FIXTURES / "prod-actors.ttl"))
    assert failed.returncode == 1 and "closed the connection" in failed.stderr
    assert store.requests == 1
