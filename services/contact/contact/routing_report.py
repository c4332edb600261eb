"""Prints how well the routing rules place a corpus of questions:
python -m contact.routing_report [corpus.json] [--centre contact_centre.json] [--misses]

Without arguments it uses the packaged corpus and the packaged contact centre."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from importlib import resources
from typing import Any

from contact.domain.centre import load_centre


def load_corpus(path: str = "") -> list[dict[str, Any]]:
    if path:
        with open(path, encoding="utf-8") as f:
            return json.load(f)["questions"]
    text = resources.files("contact").joinpath("data/routing_corpus.json").read_text(encoding="utf-8")
    return json.loads(text)["questions"]


def evaluate(corpus: list[dict[str, Any]], centre_path: str = "") -> tuple[int, list[tuple[str, str, str]], Counter]:
    """(right, misses as (expected, got, text), per-group totals)."""
    router = load_centre(centre_path).router
    right, misses, totals = 0, [], Counter()
    for item in corpus:
        got = router.by_text(item["text"]).group
        totals[item["group"]] += 1
        if got == item["group"]:
            right += 1
        else:
            misses.append((item["group"], got, item["text"]))
    return right, misses, totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default="")
    parser.add_argument("--centre", default="")
    parser.add_argument("--misses", action="store_true", help="list the questions placed wrong")
    args = parser.parse_args(argv)
    corpus = load_corpus(args.corpus)
    right, misses, totals = evaluate(corpus, args.centre)
    missed = Counter(expected for expected, _, _ in misses)
    print(f"{'group':<32} {'questions':>9} {'right':>6}")
    for group, total in totals.most_common():
        print(f"{group:<32} {total:>9} {total - missed[group]:>6}")
    print(f"routing accuracy: {right}/{len(corpus)} = {100 * right / len(corpus):.1f} %")
    if args.misses:
        for expected, got, text in misses:
            print(f"  expected {expected}, got {got}: {text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
