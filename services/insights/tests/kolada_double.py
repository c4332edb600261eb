"""A local HTTP server that answers like Kolada's API v3 (the documented shape: {"values", "count",
"next_url"}), started by the tests: no internet. It pages its answers, refuses more ids than it
takes with 422, can fail the next requests on purpose, and records what it was asked."""

from __future__ import annotations

import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class KoladaData:
    kpis: dict[str, dict[str, Any]] = field(default_factory=dict)
    municipalities: dict[str, str] = field(default_factory=dict)
    groups: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # id -> (title, member ids)
    # (kpi, municipality, year) -> {"T": value|None, "K": ..., "M": ...}
    values: dict[tuple[str, str, int], dict[str, float | None]] = field(default_factory=dict)


class KoladaDouble:
    def __init__(self, data: KoladaData, page_size: int = 5000, max_ids: int = 1000) -> None:
        self.data = data
        self.page_size = page_size
        self.max_ids = max_ids  # more ids than this in one path segment: 422
        self.failures: list[tuple[int, dict[str, str]]] = []  # the next answers to fail, in order
        self.requests: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v3"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def fail_next(self, status: int, times: int = 1, headers: dict[str, str] | None = None) -> None:
        self.failures.extend([(status, headers or {})] * times)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                double.requests.append(self.path)
                if double.failures:
                    status, headers = double.failures.pop(0)
                    return self._send(status, {"error": "simulated"}, headers)
                parsed = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(parsed.query)
                parts = [urllib.parse.unquote(p) for p in parsed.path.split("/") if p]
                if not parts or parts[0] != "v3":
                    return self._send(404, {"error": "not found"})
                parts = parts[1:]
                if any(len(p.split(",")) > double.max_ids for p in parts):
                    return self._send(422, {"detail": "too many ids"})
                try:
                    items = double._items(parts)
                except KeyError:
                    return self._send(404, {"error": "not found"})
                page = int(query.get("page", ["1"])[0])
                size = int(query.get("per_page", [str(double.page_size)])[0])
                start = (page - 1) * size
                body: dict[str, Any] = {"values": items[start : start + size], "count": len(items)}
                if start + size < len(items):
                    body["next_url"] = (
                        f"{double.url}/{'/'.join(parsed.path.split('/')[2:])}?page={page + 1}&per_page={size}"
                    )
                self._send(200, body)

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

        return Handler

    def _items(self, parts: list[str]) -> list[dict[str, Any]]:
        d = self.data
        ids = parts[1].split(",") if len(parts) > 1 else None
        if parts[0] == "kpi":
            return [
                {"id": k, "title": v["title"], "description": v.get("description", ""), "is_divided_by_gender": 1}
                for k, v in d.kpis.items()
                if ids is None or k in ids
            ]
        if parts[0] == "municipality":
            return [{"id": k, "title": t, "type": "K"} for k, t in d.municipalities.items() if ids is None or k in ids]
        if parts[0] == "municipality_groups":
            return [
                {
                    "id": g,
                    "title": title,
                    "members": [{"member_id": m, "member_title": d.municipalities.get(m, m)} for m in members],
                }
                for g, (title, members) in d.groups.items()
                if ids is None or g in ids
            ]
        if parts[0] == "data" and parts[1] == "kpi" and parts[3] == "municipality" and parts[5] == "year":
            kpis, munis, years = parts[2].split(","), parts[4].split(","), {int(y) for y in parts[6].split(",")}
            out = []
            for (k, m, y), genders in sorted(d.values.items()):
                if k in kpis and m in munis and y in years:
                    out.append(
                        {
                            "kpi": k,
                            "municipality": m,
                            "period": y,
                            "values": [
                                {"gender": g, "value": v, "status": "" if v is not None else "Saknas", "count": 1}
                                for g, v in genders.items()
                            ],
                        }
                    )
            return out
        raise KeyError(parts[0])
