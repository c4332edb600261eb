"""The web pages decide show_if with fickan_common.conditions (the service's own rule) and the
browser with static/conditions.js: both pass the one shared table of cases. The script runs in
Node.js here, as it runs in the browser."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from bff_web import forms
from fickan_common import conditions

SCRIPT = Path(forms.__file__).parent / "static" / "conditions.js"
CASES = json.loads(conditions.CASES_FILE.read_text(encoding="utf-8"))["cases"]


def test_the_page_uses_the_services_rule():
    assert forms.holds is conditions.holds


def test_the_browsers_copy_passes_the_shared_cases():
    node = shutil.which("node")
    assert node, "Node.js is needed to run the browser's script (apt-get install nodejs)"
    program = f"""
      const conditions = require({json.dumps(str(SCRIPT))});
      const cases = {json.dumps(CASES)};
      const answers = cases.map(c => conditions.holds(c.condition, q => (q in c.answers ? c.answers[q] : "")));
      process.stdout.write(JSON.stringify(answers));
    """
    shown = json.loads(subprocess.run([node, "-e", program], capture_output=True, text=True, check=True).stdout)
    assert shown == [c["shown"] for c in CASES]
