"""The HTTP layer: a Flask app factory and one blueprint per concern.

Views parse the request, negotiate, call the core and send the bytes; every
:class:`~nkd.errors.NkdError` becomes one error shape in :mod:`nkd.web.errors`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from ..http_cache import DataVersion
from ..settings import Settings, load_settings
from ..sparql import EmbeddedEngine
from ..store import shipped_sources, shipped_store, sources_version, store_version
from .delivery import Delivery


@dataclass
class State:
    """What every view needs: the settings, the engine that answers queries, the data's version."""

    settings: Settings
    engine: Any  # EmbeddedEngine or any object with the same methods
    version: DataVersion | None = field(default=None)  # of fixed data; None: ask the engine

    def data_version(self) -> DataVersion:
        """The version of the data answered from (an external store's changes with the store)."""
        if self.version is not None:
            return self.version
        return self.engine.data_version()


def create_app(settings: Settings | None = None, *, engine: Any = None, store: Any = None,
               version: DataVersion | None = None) -> Flask:
    """Build the nkd Flask app.

    ``engine`` answers queries; by default an :class:`EmbeddedEngine` over ``store``,
    which defaults to an in-memory store of the shipped graph. ``version`` is what the
    data's ETags are made of; by default it is read from the engine (an external store),
    from the shipped files, or from the content of ``store``.
    """
    settings = settings or load_settings()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.config["MAX_FORM_MEMORY_SIZE"] = settings.max_request_bytes  # a page's long query, form-encoded
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if version is None and not hasattr(engine, "data_version"):
        if store is None and engine is None:
            version = sources_version(shipped_sources(settings.public_base), settings.public_base)
        else:
            version = store_version(store if store is not None else engine.store, time.time())
    if engine is None:
        engine = EmbeddedEngine(store if store is not None else shipped_store(settings.public_base), settings)
    if version is not None:
        version = version.with_settings(settings)
    app.extensions["nkd"] = State(settings=settings, engine=engine, version=version)

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
