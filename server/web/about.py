"""Who made the dataset and how to cite it: the footer of every page and the About page."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, current_app, render_template

from ..annotated import source_infos
from ..catalog import DatasetInfo, dataset_info
from ..errors import NkdError
from ..source_texts import text_stem
from .linked_data import get_ld, ld_of

bp = Blueprint("about", __name__)
log = logging.getLogger("nkd")


def get_site() -> DatasetInfo | None:
    """The dataset's description for the footer, read once per process; None if the store fails.

    Error pages render the footer too, so a store that cannot answer (a remote one down)
    must not turn a 503 into a failure of the error page itself.
    """
    return site_of(current_app)


def site_of(app: Flask) -> DatasetInfo | None:
    """:func:`get_site` for a given app: error pages rendered ahead of Flask have the footer too."""
    site = app.extensions.get("nkd-site")
    if site is None:
        try:
            site = app.extensions["nkd-site"] = dataset_info(ld_of(app))
        except NkdError as exc:
            log.warning("the footer has no dataset description: %s", exc)
            return None
    return site


@bp.app_context_processor
def footer() -> dict:
    """Give every template ``site``: the dataset's title, licence, version, dates and citation."""
    return {"site": get_site()}


@bp.get("/about")
def about() -> str:
    """What the graph rests on, the rights of each source text, how facts are made and checked."""
    ld = get_ld()
    stats = ld.stats()
    texts = []
    for copy in sorted(set(stats.source_copies.values())):
        stem = text_stem(ld.base, copy)
        if stem:
            texts.append((stem, source_infos(ld, copy)))
    kinds: dict[str, int] = {}
    for _, infos in texts:
        for info in infos:
            for kind in info.types[:1] or ["source"]:
                kinds[kind] = kinds.get(kind, 0) + 1
    counts = {row["src"].value: int(row["n"].value) for row in ld.select(
        "SELECT ?src (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a oa:hasTarget/oa:hasSource ?src } GROUP BY ?src")}
    return render_template("about.html", stats=stats, texts=texts, kinds=list(kinds.items()), quotes=counts,
                           info=get_site() or dataset_info(ld))
