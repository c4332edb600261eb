"""Every endpoint of every BFF has a rule in rules.py, and every rule an endpoint: the tables are held
against each BFF's own Flask url_map, so a new endpoint without a rule fails here, by name."""

from __future__ import annotations

import pytest
from flask import Flask

from bff_mobile.app import create_app as mobile_app
from bff_watch.app import create_app as watch_app
from bff_web.app import create_app as web_app
from fickan.applications.v1 import applications_pb2_grpc
from fickan.contact.v1 import contact_pb2_grpc
from fickan.identity.v1 import identity_pb2_grpc
from fickan.insights.v1 import insights_pb2_grpc
from fickan.notifications.v1 import notifications_pb2_grpc
from fickan_bff.clients import Services
from fickan_common.grpc_client import ServiceClient

from .asking import PATH_PARAM
from .rules import RULES

NOWHERE = "127.0.0.1:9"  # the route table needs no service: nothing is called


def _services() -> Services:
    return Services(
        identity=ServiceClient(NOWHERE, identity_pb2_grpc.IdentityServiceStub),
        applications=ServiceClient(NOWHERE, applications_pb2_grpc.ApplicationsServiceStub),
        notifications=ServiceClient(NOWHERE, notifications_pb2_grpc.NotificationsServiceStub),
        contact=ServiceClient(NOWHERE, contact_pb2_grpc.ContactServiceStub),
        insights=ServiceClient(NOWHERE, insights_pb2_grpc.InsightsServiceStub),
    )


FACTORIES = {"web": web_app, "mobile": mobile_app, "watch": watch_app}


def endpoints(app: Flask) -> set[str]:
    """ "METHOD /rule" for every method of every rule (HEAD and OPTIONS are Flask's own)."""
    return {
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    }


@pytest.fixture(scope="module")
def route_tables() -> dict[str, set[str]]:
    return {bff: endpoints(factory(_services())) for bff, factory in FACTORIES.items()}


@pytest.mark.parametrize("bff", sorted(FACTORIES))
def test_every_endpoint_has_a_rule_and_every_rule_an_endpoint(route_tables, bff):
    served, ruled = route_tables[bff], set(RULES[bff])

    without_rule = sorted(served - ruled)
    gone = sorted(ruled - served)
    assert not without_rule, f"{bff}: endpoints without a rule in tests/authz/rules.py: {without_rule}"
    assert not gone, f"{bff}: rules for endpoints {bff} no longer has: {gone}"


@pytest.mark.parametrize("bff", sorted(FACTORIES))
def test_every_rule_names_a_value_for_each_path_parameter(bff):
    for endpoint, rule in RULES[bff].items():
        route = endpoint.split(" ", 1)[1]
        missing = [name for name in PATH_PARAM.findall(route) if name not in rule.params]
        assert not missing, f"{bff} {endpoint}: no value for {missing}"


def test_a_new_endpoint_without_a_rule_is_named():
    """The check itself: an endpoint the tables do not know is reported by its method and rule."""
    app = web_app(_services())
    app.add_url_rule("/ny-sida/<thing_id>", "new_page", lambda thing_id: "", methods=["POST"])

    assert endpoints(app) - set(RULES["web"]) == {"POST /ny-sida/<thing_id>"}
