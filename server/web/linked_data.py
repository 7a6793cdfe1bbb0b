"""Linked Data: dereferenceable IRIs, pages for people, dumps and the VoID description."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("linked_data", __name__)
