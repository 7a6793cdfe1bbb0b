"""nkd: an open knowledge graph of North Korean defection.

The core (settings, store loading, query guards and execution, content negotiation,
validation, resource description) imports no Flask and raises the typed errors of
:mod:`nkd.errors`; :mod:`nkd.web` and :mod:`nkd.cli` translate them.
"""

__version__ = "0.1.0"
