"""Data minimisation the resident can read about, and its log for admins. How long drafts and
cases are kept, what is removed and the log are the applications service's (its settings and its
retention log, over its contract); this only shows them."""

from __future__ import annotations

from flask import Blueprint, render_template

from bff_web import formatting
from bff_web.i18n import current_language
from bff_web.session import services, staff_required, token
from fickan.applications.v1 import applications_pb2 as pb

bp = Blueprint("privacy", __name__)


@bp.get("/integritet")
def privacy() -> str:
    """Asked each time, never copied: a municipality that changes its settings changes this page."""
    rules = services().applications.call("GetRetentionRules", pb.GetRetentionRulesRequest())
    english = current_language() == "en"
    return render_template(
        "privacy.html",
        rules=rules,
        removed=rules.removed_en if english else rules.removed,
        kept=rules.kept_en if english else rules.kept,
    )


@bp.get("/personal/gallring")
@staff_required("admin")
def retention_log() -> str:
    listed = services().applications.call("ListRetentionLog", pb.ListRetentionLogRequest(limit=200), token=token())
    entries = [
        {
            "when": formatting.date_time(e.at),
            "subject": e.subject,
            "application_id": e.application_id,
            "removed": e.removed,
            "rule": e.rule,
        }
        for e in listed.entries
    ]
    return render_template("staff_retention_log.html", entries=entries)
