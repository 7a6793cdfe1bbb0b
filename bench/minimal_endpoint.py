"""The smallest Flask + gunicorn + in-memory pyoxigraph SPARQL endpoint, as a reference point.

No guards, no time limit, no negotiation beyond "graph or table": what nkd's
machinery costs is the difference between this and ``nkd serve`` under the same
gunicorn settings (2 gthread workers, 8 threads each). ``bench/run.py --with-minimal``
starts it with::

    NKD_BENCH_DATA=FILE gunicorn -k gthread -w 2 --threads 8 'minimal_endpoint:create_app()'

Never deploy it: it runs any query, including SERVICE, with no limit.
"""

from __future__ import annotations

import io
import os

import pyoxigraph as ox
from flask import Flask, Response, request


def create_app() -> Flask:
    """A Flask app answering GET /sparql?query=… over the files in ``NKD_BENCH_DATA`` (os.pathsep-separated)."""
    store = ox.Store()
    for path in os.environ["NKD_BENCH_DATA"].split(os.pathsep):
        store.bulk_load(path=path, format=ox.RdfFormat.from_extension(path.rsplit(".", 1)[-1]))
    app = Flask(__name__)

    @app.get("/sparql")
    def sparql() -> Response:
        result = store.query(request.args["query"], use_default_graph_as_union=True)
        sink = io.BytesIO()
        if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
            result.serialize(sink, ox.QueryResultsFormat.JSON)
            kind = "application/sparql-results+json"
        else:
            result.serialize(sink, ox.RdfFormat.TURTLE)
            kind = "text/turtle"
        return Response(sink.getvalue(), content_type=kind)

    return app
