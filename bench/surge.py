"""The month-start surge in one benchmark: households log in, fill in the basic application with a
bank statement, sign with BankID and send it; co-applicants log in and sign too; case workers open
each sent case on the web desk, decide it and plan the payment; the residents' inboxes get the
messages. Prints throughput, p50/p99 per step and each figure as a ratio to the bare Flask ->
grpcio baseline measured first in the same run, and what that capacity means for a municipality.

    .venv/bin/python bench/surge.py [--residents 120] [--concurrency 16] [--case-workers 4]
                                    [--co-applicant-share 0.5] [--database sqlite|postgresql]
                                    [--inhabitants 150000] [--time-cap 600]

`--residents` is the number of households that apply (each one case); a share of them
(`--co-applicant-share`) name a partner, who logs in and co-signs. Residents are Skatteverket test
personnummer chosen at random. The platform is the benchmark's own (bench/slice_load.own_platform:
temp folder, free ports, own RabbitMQ vhost and databases), stopped at the end.

Sizing: a municipality of `--inhabitants` has about 1.6 cases a month per 100 inhabitants
(150 000 -> ~2 400; ekonomiskt bistånd, one application per household and month), half of them in
the first three days. The report sets the measured end-to-end capacity (cases fully handled per
hour, residents and case workers working at once) beside that demand: the average hour of those
three days, and a busy hour taken as three times the average.

Nothing asserts on timing; the exit code is 1 when a request failed or a message did not arrive.
"""

from __future__ import annotations

import argparse
import queue
import random
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from slice_load import (
    NAN,
    TIMEOUT,
    Baseline,
    Phase,
    _epoch,
    _ms,
    _pct,
    _table,
    _x,
    add_database_option,
    databases_of,
    machine_facts,
    measure_baseline,
    own_platform,
    peak_memory,
    pick_personal_numbers,
)

CASE_WORKER = "198501012382"  # the demo case worker of the unit (services/identity demo_people.json)
FORM = "eb_grundansokan"
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
CASES_PER_INHABITANT = 2400 / 150_000  # a month's cases of ekonomiskt bistand (the figure)
BUSY_HOUR_FACTOR = 3.0  # a busy hour of the first three days against their average hour
MESSAGE_WAIT = 30.0  # after the last payment, how long the inbox may take at most
STEPS = (
    "login (start -> token)",
    "fill in (draft, file, answers)",
    "sign (start -> signature)",
    "submit",
    "co-applicant login",
    "co-applicant signs",
    "case worker opens case",
    "decide",
    "plan payment",
    "decision -> inbox message",
)


@dataclass
class Household:
    applicant: str  # personnummer (never printed)
    partner: str | None
    token: str = ""
    case_id: str = ""
    decided_wall: float = 0.0  # when the decision was sent (epoch seconds)
    done: bool = False


@dataclass
class Surge:
    requests: Phase = field(default_factory=lambda: Phase("requests"))
    steps: Phase = field(default_factory=lambda: Phase("steps"))
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, text: str) -> None:
        with self.lock:
            self.failures.append(text)

    def step(self, name: str, started: float, ok: bool = True) -> None:
        self.steps.record(name, time.perf_counter() - started, None if ok else "failed")


class Resident:
    """One person's phone: a session on the mobile BFF and the BankID app (the simulator)."""

    def __init__(self, surge: Surge, mobile: str, simulator: str, personal_number: str) -> None:
        self.surge, self.mobile, self.simulator, self.pnr = surge, mobile, simulator, personal_number
        self.http = requests.Session()
        self.token = ""

    def _call(self, endpoint: str, method: str, path: str, expect: int, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        started = time.perf_counter()
        try:
            answer = self.http.request(method, f"{self.mobile}{path}", headers=headers, timeout=TIMEOUT, **kwargs)
        except requests.RequestException as exc:
            self.surge.requests.record(endpoint, time.perf_counter() - started, type(exc).__name__)
            return None
        elapsed = time.perf_counter() - started
        if answer.status_code != expect:
            self.surge.requests.record(endpoint, elapsed, f"HTTP {answer.status_code}: {answer.text[:400]}")
            return None
        self.surge.requests.record(endpoint, elapsed)
        return answer.json()

    def login(self, deadline: float) -> bool:
        started = self._call("POST /v1/auth/bankid", "POST", "/v1/auth/bankid", 200, json={"personalNumber": self.pnr})
        if started is None:
            return False
        order = {"orderRef": started["orderRef"], "collectSecret": started["collectSecret"]}
        while time.monotonic() < deadline:
            answer = self._call("POST /v1/auth/collect", "POST", "/v1/auth/collect", 200, json=order)
            if answer is None or answer["status"] == "failed":
                return False
            if answer["status"] == "complete":
                self.token = answer["accessToken"]
                return True
            time.sleep(0.05)
        return False

    def sign(self, case_id: str, deadline: float) -> tuple[str, int] | None:
        """BankID signing of the case's text: start, the person's app opens the order on the same
        device (the simulator's autostart), collect until complete. (signature id, version)."""
        base = f"/v1/applications/{case_id}/sign"
        started = self._call("POST …/sign/start", "POST", f"{base}/start", 200, json={})
        if started is None:
            return None
        opened = requests.post(
            f"{self.simulator}/simulator/autostart",
            json={"autoStartToken": started["autoStartToken"], "personalNumber": self.pnr},
            timeout=TIMEOUT,
        )
        if opened.status_code != 200:
            self.surge.fail(f"simulator autostart: HTTP {opened.status_code}")
            return None
        while time.monotonic() < deadline:
            answer = self._call(
                "POST …/sign/collect", "POST", f"{base}/collect", 200, json={"orderRef": started["orderRef"]}
            )
            if answer is None or answer["status"] == "failed":
                return None
            if answer["status"] == "complete":
                return answer["signatureId"], started["version"]
            time.sleep(0.05)
        return None


def apply(
    surge: Surge, household: Household, mobile: str, simulator: str, period: str, deadline: float
) -> Resident | None:
    """The applicant's part: log in, fill in, sign, send. Returns the applicant's phone."""
    me = Resident(surge, mobile, simulator, household.applicant)
    t = time.perf_counter()
    ok = me.login(deadline)
    surge.step(STEPS[0], t, ok)
    if not ok:
        return None
    household.token = me.token
    t = time.perf_counter()
    draft = me._call("POST /v1/applications", "POST", "/v1/applications", 201, json={"kind": FORM})
    if draft is None:
        surge.step(STEPS[1], t, False)
        return None
    household.case_id = case_id = draft["id"]
    statement = me._call(
        "POST …/attachments",
        "POST",
        f"/v1/applications/{case_id}/attachments",
        201,
        files={"file": ("kontoutdrag.pdf", PDF, "application/pdf")},
    )
    answers = {
        "period": draft.get("period") or period,
        "sysselsattning": "arbetssokande",
        "inskriven_af": "ja",
        "har_partner": "ja" if household.partner else "nej",
        "boendeform": "utan_bostad",
        "har_inkomster": "nej",
        "har_tillgangar": "nej",
        "kontoutdrag": [statement["id"]] if statement else [],
        "samtycke_kontroll": "ja",
        "sanningsforsakran": "ja",
    }
    if household.partner:
        answers["partner_personnummer"] = household.partner
    saved = me._call(
        "PUT …/answers",
        "PUT",
        f"/v1/applications/{case_id}/answers",
        200,
        json={"answers": answers, "version": draft["version"]},
    )
    surge.step(STEPS[1], t, statement is not None and saved is not None)
    if saved is None:
        return None
    t = time.perf_counter()
    signed = me.sign(case_id, deadline)
    surge.step(STEPS[2], t, signed is not None)
    if signed is None:
        return None
    signature_id, version = signed
    t = time.perf_counter()
    sent = me._call(
        "POST …/submit",
        "POST",
        f"/v1/applications/{case_id}/submit",
        200,
        json={"version": version, "signatureId": signature_id},
    )
    surge.step(STEPS[3], t, sent is not None)
    return me if sent is not None else None


def co_sign(surge: Surge, household: Household, mobile: str, simulator: str, deadline: float) -> bool:
    partner = Resident(surge, mobile, simulator, household.partner or "")
    t = time.perf_counter()
    ok = partner.login(deadline)
    surge.step(STEPS[4], t, ok)
    if not ok:
        return False
    t = time.perf_counter()
    signed = partner.sign(household.case_id, deadline)
    done = None
    if signed is not None:
        done = partner._call(
            "POST …/co-sign",
            "POST",
            f"/v1/applications/{household.case_id}/co-sign",
            200,
            json={"signatureId": signed[0]},
        )
    surge.step(STEPS[5], t, done is not None)
    return done is not None


def web_login(web: str, personal_number: str) -> requests.Session:
    """A browser without JavaScript on the web BFF, logged in with the BankID simulator."""
    browser = requests.Session()
    form = browser.get(f"{web}/logga-in", timeout=TIMEOUT).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    browser.post(f"{web}/logga-in", data={"personal_number": personal_number, "csrf_token": csrf}, timeout=TIMEOUT)
    for _ in range(200):
        page = browser.get(f"{web}/logga-in/vantar", timeout=TIMEOUT, allow_redirects=False)
        if page.status_code == 302 and page.headers["Location"].endswith("/mina-sidor"):
            return browser
        time.sleep(0.1)
    raise RuntimeError("the case worker's web login did not complete")


def form_fields(page: str, action_ends_with: str) -> dict[str, str] | None:
    """The hidden fields (CSRF, form token, version) of the page's form posting to that action."""
    for form in re.findall(r"<form\b[^>]*>.*?</form>", page, flags=re.S):
        action = re.search(r'action="([^"]*)"', form)
        if action and action.group(1).endswith(action_ends_with):
            return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    return None


class CaseWorker:
    """A case worker's browser on the web desk: open the case, decide, plan the payment."""

    def __init__(self, surge: Surge, web: str, browser: requests.Session) -> None:
        self.surge, self.web, self.browser = surge, web, browser

    def _page(self, endpoint: str, method: str, path: str, expect: int, **kwargs: Any) -> str | None:
        started = time.perf_counter()
        try:
            answer = self.browser.request(method, f"{self.web}{path}", timeout=TIMEOUT, allow_redirects=False, **kwargs)
        except requests.RequestException as exc:
            self.surge.requests.record(endpoint, time.perf_counter() - started, type(exc).__name__)
            return None
        elapsed = time.perf_counter() - started
        if answer.status_code != expect:
            self.surge.requests.record(endpoint, elapsed, f"HTTP {answer.status_code}: {answer.text[:400]}")
            return None
        self.surge.requests.record(endpoint, elapsed)
        return answer.text

    def handle(self, household: Household) -> bool:
        path = f"/personal/arenden/{household.case_id}"
        surge = self.surge
        t = time.perf_counter()
        page = self._page("GET /personal/arenden/<id>", "GET", path, 200)
        fields = form_fields(page or "", f"{path}/beslut")
        for _ in range(20):  # just co-signed: the api receives it a moment after the answer
            if fields is not None or page is None:
                break
            time.sleep(0.1)
            page = self._page("GET /personal/arenden/<id>", "GET", path, 200)
            fields = form_fields(page or "", f"{path}/beslut")
        surge.step(STEPS[6], t, page is not None)
        if fields is None:
            surge.fail(f"no decision form on the case page{'' if page is None else ' (page shown)'}")
            return False
        t = time.perf_counter()
        household.decided_wall = time.time()
        decided = self._page(
            "POST …/beslut", "POST", f"{path}/beslut", 302, data={**fields, "outcome": "approved", "amount": ""}
        )
        page = self._page("GET /personal/arenden/<id>", "GET", path, 200) if decided is not None else None
        surge.step(STEPS[7], t, page is not None)
        fields = form_fields(page or "", f"{path}/utbetalning")
        if fields is None:
            surge.fail("no payment form after the decision")
            return False
        t = time.perf_counter()
        planned = self._page("POST …/utbetalning", "POST", f"{path}/utbetalning", 302, data=fields)
        surge.step(STEPS[8], t, planned is not None)
        return planned is not None


def queue_page(surge: Surge, worker: CaseWorker) -> None:
    """The desk's list, as a case worker looks at it between cases."""
    worker._page("GET /personal/arenden", "GET", "/personal/arenden", 200)


def run_surge(
    platform: Any,
    residents: int = 120,
    concurrency: int = 16,
    case_workers: int = 4,
    co_applicant_share: float = 0.5,
    time_cap: float = 600.0,
    seed: int | None = None,
    baseline: Baseline | None = None,
    log: Any = print,
) -> dict[str, Any]:
    """The measured part on a running platform. Returns what format_surge prints."""
    mobile, web = platform.url("mobile"), platform.url("web")
    simulator = f"http://127.0.0.1:{platform.ports['bankid-simulator']}"
    rng = random.Random(seed)
    partners = round(residents * co_applicant_share)
    people = pick_personal_numbers(residents + partners, seed)
    households = [Household(people[i], None) for i in range(residents)]
    for i, household in enumerate(rng.sample(households, partners)):
        household.partner = people[residents + i]
    surge = Surge()
    deadline = time.monotonic() + time_cap
    # The month open for applications now (the basic application asks for it).
    period = requests.get(f"{mobile}/v1/periods/current", timeout=TIMEOUT).json()["period"]
    todo: queue.Queue[Household] = queue.Queue()
    for household in households:
        todo.put(household)
    sent: queue.Queue[Household | None] = queue.Queue()

    def resident_thread() -> None:
        while time.monotonic() < deadline:
            try:
                household = todo.get_nowait()
            except queue.Empty:
                return
            if apply(surge, household, mobile, simulator, period, deadline) is None:
                surge.fail("an application was not sent")
                continue
            if household.partner and not co_sign(surge, household, mobile, simulator, deadline):
                surge.fail("a co-applicant could not sign")
                continue
            sent.put(household)

    log(f"{case_workers} case workers log in on the web desk ...")
    desks = [CaseWorker(surge, web, web_login(web, CASE_WORKER)) for _ in range(case_workers)]

    def case_worker_thread(desk: CaseWorker) -> None:
        while True:
            try:
                household = sent.get(timeout=1.0)
            except queue.Empty:
                if time.monotonic() > deadline:
                    return
                continue
            if household is None:
                return
            queue_page(surge, desk)
            household.done = desk.handle(household)
            if not household.done:
                surge.fail("a case could not be decided and paid")

    log(f"{residents} households ({partners} with a co-applicant) apply from {concurrency} threads ...")
    started = time.perf_counter()
    residents_threads = [threading.Thread(target=resident_thread, daemon=True) for _ in range(concurrency)]
    workers = [threading.Thread(target=case_worker_thread, args=(d,), daemon=True) for d in desks]
    for thread in residents_threads + workers:
        thread.start()
    for thread in residents_threads:
        thread.join()
    residents_seconds = time.perf_counter() - started
    for _ in workers:
        sent.put(None)
    for thread in workers:
        thread.join()
    whole = time.perf_counter() - started
    surge.requests.seconds = surge.steps.seconds = whole
    log("waiting for the decisions in the inboxes ...")
    inbox_wait(surge, [h for h in households if h.done], mobile)
    return {
        "surge": surge,
        "households": households,
        "partners": partners,
        "seconds": whole,
        "residents_seconds": residents_seconds,
        "baseline": baseline,
        "memory": peak_memory(platform),
        "params": {
            "residents": residents,
            "co_applicants": partners,
            "concurrency": concurrency,
            "case_workers": case_workers,
            "database": "PostgreSQL" if platform.database_urls else "SQLite",
        },
    }


def inbox_wait(surge: Surge, households: list[Household], mobile: str) -> None:
    """Each decided case's "Beslut om din ansökan" message: its createdAt minus when the decision
    was sent (one clock). A message not there within MESSAGE_WAIT counts as missing."""
    waiting = {h.case_id: h for h in households}
    deadline = time.monotonic() + MESSAGE_WAIT
    http = requests.Session()
    while waiting and time.monotonic() < deadline:
        for case_id, household in list(waiting.items()):
            answer = http.get(
                f"{mobile}/v1/inbox",
                headers={"Authorization": f"Bearer {household.token}"},
                params={"limit": 100},
                timeout=TIMEOUT,
            )
            if answer.status_code != 200:
                continue
            for message in answer.json()["messages"]:
                if message["reference"] == f"application:{case_id}" and message["subject"] == "Beslut om din ansökan":
                    created = _epoch(message.get("createdAt"))
                    if created is not None:
                        surge.steps.record(STEPS[9], created - household.decided_wall)
                    del waiting[case_id]
                    break
        if waiting:
            time.sleep(0.2)
    for _ in waiting:
        surge.steps.record(STEPS[9], 0.0, "no message")
        surge.fail("a decision's message did not arrive")


def format_surge(result: dict[str, Any], inhabitants: int) -> str:
    surge: Surge = result["surge"]
    b: Baseline | None = result["baseline"]
    base_rate, base_p50, base_p99 = (b.rate, b.pct(50), b.pct(99)) if b else (NAN, NAN, NAN)
    lines = ["machine: " + ", ".join(f"{k} {v}" for k, v in machine_facts().items())]
    lines.append("parameters: " + ", ".join(f"{k}={v}" for k, v in result["params"].items()))
    if b:
        lines.append(
            f"baseline (bare Flask -> grpcio, same gunicorn settings, same client): {base_rate:.1f} req/s, "
            f"p50 {base_p50:.1f} ms, p99 {base_p99:.1f} ms; x = this figure / the baseline's"
        )
    lines.append("")
    rows = []
    for name in STEPS:
        series = surge.steps.series.get(name)
        if series is None:
            continue
        p50, p99 = _pct(series.latencies, 50) * 1000, _pct(series.latencies, 99) * 1000
        n, failed_n = str(len(series.latencies)), str(series.errors)
        rows.append((name, n, failed_n, _ms(p50), _x(p50, base_p50), _ms(p99), _x(p99, base_p99)))
    lines += _table(("step", "n", "failed", "p50 ms", "x", "p99 ms", "x"), rows, right=(1, 2, 3, 4, 5, 6))
    lines.append("")
    rows = []
    total = errors = server_errors = 0
    for endpoint, series in sorted(surge.requests.series.items()):
        n = len(series.latencies) + series.errors
        total, errors, server_errors = total + n, errors + series.errors, server_errors + series.server_errors
        p50, p99 = _pct(series.latencies, 50) * 1000, _pct(series.latencies, 99) * 1000
        rows.append((endpoint, str(n), str(series.errors), str(series.server_errors), _ms(p50), _ms(p99)))
    lines += _table(("request", "n", "errors", "5xx", "p50 ms", "p99 ms"), rows, right=(1, 2, 3, 4, 5))
    seconds = result["seconds"]
    rate = total / seconds
    done = sum(1 for h in result["households"] if h.done)
    per_hour = done / seconds * 3600
    lines.append("")
    lines.append(
        f"throughput: {done} of {len(result['households'])} cases applied for, signed, decided and paid in "
        f"{seconds:.0f} s = {per_hour:.0f} cases an hour; {total} requests, {rate:.1f} req/s "
        f"(x {_x(rate, base_rate)} the baseline's req/s); {errors} failed ({server_errors} 5xx)"
    )
    month = inhabitants * CASES_PER_INHABITANT
    first_days_hour = month / 2 / 72
    busy_hour = first_days_hour * BUSY_HOUR_FACTOR
    lines.append(
        f"a municipality of {_n(inhabitants)} inhabitants: ~{_n(month)} cases a month, {_n(month / 2)} in the first "
        f"three days = {first_days_hour:.0f} an hour on average, a busy hour ~{busy_hour:.0f}; measured capacity "
        f"{_n(per_hour)} an hour = {per_hour / busy_hour:.1f} x the busy hour, {per_hour / first_days_hour:.1f} x "
        "the average hour"
    )
    memory = sum(mb for *_, mb in result["memory"] if mb == mb)
    lines.append(f"sum of peak RSS: {memory:.0f} MB over {len(result['memory'])} processes")
    for sample in surge.failures[:5]:
        lines.append(f"failure: {sample}")
    samples = [(e, s) for e, ser in surge.requests.series.items() for s in ser.error_samples]
    for endpoint, sample in samples[:5]:
        lines.append(f"error sample: {endpoint}: {sample}")
    return "\n".join(lines)


def _n(value: float) -> str:
    """A whole number with a space between thousands (2 400)."""
    return f"{value:,.0f}".replace(",", " ")


def failed(result: dict[str, Any]) -> bool:
    surge: Surge = result["surge"]
    return bool(surge.failures) or any(s.errors for s in surge.requests.series.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=120, help="households that apply (default 120)")
    parser.add_argument("--concurrency", type=int, default=16, help="resident threads (default 16)")
    parser.add_argument("--case-workers", type=int, default=4, help="case workers at the desk at once (default 4)")
    parser.add_argument("--co-applicant-share", type=float, default=0.5, help="share of households with a partner")
    parser.add_argument("--inhabitants", type=int, default=150_000, help="the municipality to size against")
    parser.add_argument("--time-cap", type=float, default=600.0, help="seconds the surge may last at most")
    parser.add_argument("--seed", type=int, default=None)
    add_database_option(parser)
    args = parser.parse_args(argv)
    if args.residents < 1 or args.concurrency < 1 or args.case_workers < 1:
        parser.error("--residents, --concurrency and --case-workers must be at least 1")
    if not 0 <= args.co_applicant_share <= 1:
        parser.error("--co-applicant-share must be between 0 and 1")
    code = 0
    for database in databases_of(args):
        print(f"baseline: bare Flask -> grpcio, {args.concurrency} threads ...", flush=True)
        baseline = measure_baseline(args.concurrency, 3000, args.time_cap)
        print(f"starting the platform ({database}) ...", flush=True)
        with own_platform(database == "postgresql") as platform:
            result = run_surge(
                platform,
                residents=args.residents,
                concurrency=args.concurrency,
                case_workers=args.case_workers,
                co_applicant_share=args.co_applicant_share,
                time_cap=args.time_cap,
                seed=args.seed,
                baseline=baseline,
                log=lambda text: print(text, flush=True),
            )
        print()
        print(format_surge(result, args.inhabitants))
        print(flush=True)
        code = max(code, 1 if failed(result) else 0)
    return code


if __name__ == "__main__":
    sys.exit(main())
