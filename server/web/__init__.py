"""The HTTP layer: a Flask app factory and one blueprint per concern.

Views parse the request, negotiate, call the core and send the bytes; every
:class:`~nkd.errors.NkdError` becomes one error shape in :mod:`nkd.web.errors`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import Flask, current_app

from ..engine import DataSource, Engine, open_engine
from ..http_cache import DataVersion
from ..settings import Settings, load_settings
from .delivery import Delivery

if TYPE_CHECKING:
    import pyoxigraph


@dataclass
class State:
    """What every view needs: the settings, and the engine that answers queries."""

    settings: Settings
    engine: Engine

    def data_version(self) -> DataVersion:
        """The version of the data answered from (an external store's changes with the store)."""
        return self.engine.data_version()


def create_app(settings: Settings | None = None, *, engine: Engine | None = None,
               store: pyoxigraph.Store | None = None) -> Flask:
    """Build the nkd Flask app.

    ``engine`` answers queries (see :func:`nkd.engine.open_engine`); by default an
    embedded engine over ``store``, or, without one, over the shipped graph.
    """
    settings = settings or load_settings()
    if engine is None:
        if store is not None:
            from ..sparql import EmbeddedEngine

            engine = EmbeddedEngine(store, settings)
        else:
            engine = open_engine(settings, DataSource())
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.config["MAX_FORM_MEMORY_SIZE"] = settings.max_request_bytes  # a page's long query, form-encoded
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["nkd"] = State(settings=settings, engine=engine)

    from . import about, browse, caching, errors, linked_data, protocol, search, site, sources, sparql, system

    errors.register(app)
    caching.register(app)
    app.register_blueprint(system.bp)
    app.register_blueprint(site.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(about.bp)
    app.register_blueprint(browse.bp)
    app.register_blueprint(sources.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(linked_data.bp)
    # /sparql answers programs ahead of Flask; only its pages reach the blueprint.
    app.wsgi_app = protocol.SparqlProtocol(  # type: ignore[method-assign]
        app.wsgi_app, app.extensions["nkd"], errors.template_renderer(app, lambda: {"site": about.site_of(app)}))
    # Outermost, so that security headers and compression cover the protocol handler too.
    app.wsgi_app = Delivery(app.wsgi_app)  # type: ignore[method-assign]
    return app


def get_state() -> State:
    """The :class:`State` of the running app."""
    return current_app.extensions["nkd"]
