"""The app factory: `gunicorn -b 127.0.0.1:8081 'bff_mobile.app:create_app()'`."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify
from werkzeug.middleware.proxy_fix import ProxyFix

from bff_mobile.errors import register_error_handlers
from bff_mobile.openapi import build_openapi
from bff_mobile.settings import MobileSettings
from bff_mobile.settings import load as load_settings
from bff_mobile.views import api
from fickan_bff.app import create_base_app
from fickan_bff.clients import Services

NAME = "bff-mobile"
API_TITLE = "Fickan mobile API"
API_VERSION = "1.0.0"


def create_app(services: Services | None = None, settings: MobileSettings | None = None) -> Flask:
    """The mobile BFF. Settings default to the environment's, services to their targets (README.md)."""
    settings = settings or load_settings()
    app = create_base_app(NAME, settings.bff, services)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    proxy_hops = settings.proxy_hops
    if proxy_hops > 0:
        # The resident's address (BankID's end_user_ip) as seen by the trusted proxies in front.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxy_hops, x_proto=proxy_hops)  # type: ignore[method-assign]
    register_error_handlers(app)
    app.register_blueprint(api.blueprint)
    app.extensions["bff_mobile_openapi"] = build_openapi(api, API_TITLE, API_VERSION)

    @app.get("/openapi.json")
    def openapi() -> Response:
        return jsonify(current_app.extensions["bff_mobile_openapi"])

    return app
