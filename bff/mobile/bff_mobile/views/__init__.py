"""The /v1 endpoints of the phone app, one module per area. Thin: check, ask the services over gRPC,
shape the answer. Importing the areas registers their routes on `api`."""

from bff_mobile.views import (  # noqa: F401 - registers the routes
    applications,
    auth,
    bookings,
    devices,
    e_services,
    faults,
    inbox,
    insights,
    notifications,
    questions,
    service_messages,
    signing,
)
from bff_mobile.views.common import api

__all__ = ["api"]
