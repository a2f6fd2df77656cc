#!/usr/bin/env python3
"""Scores Microsoft Presidio on proofdesk's generated set of Dutch claim texts.

    proofdesk eval-personal-data --write-set set.jsonl
    python3 scripts/presidio_compare.py set.jsonl

Presidio's pattern recognisers run (its phone recogniser set to the Netherlands) with a blank spaCy pipeline (no model download:
there is no network here), in its English configuration, since most of its
recognisers are registered for English only; it has no BSN, KvK, BTW, Dutch postcode
or licence-plate recogniser, so those kinds score zero recall. A finding counts when
it overlaps a labelled span of the mapped kind, as in proofdesk's own score; every
finding counts, as Presidio reports at its default score threshold (0).
"""
import json
import sys
import tempfile

import spacy
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import PhoneRecognizer

MAP = {
    "EMAIL_ADDRESS": "email",
    "IBAN_CODE": "iban",
    "PHONE_NUMBER": "phone",
    "CREDIT_CARD": "payment-card",
    "DATE_TIME": "date-of-birth",
}


def main(path):
    model_dir = tempfile.mkdtemp()
    spacy.blank("en").to_disk(model_dir)
    engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": model_dir}])
    analyzer = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])
    # Presidio's phone recogniser looks for US, UK, German, Israeli, Indian and Canadian
    # numbers by default; give it the Netherlands, as a Dutch deployment would.
    analyzer.registry.remove_recognizer("PhoneRecognizer")
    analyzer.registry.add_recognizer(PhoneRecognizer(supported_regions=("NL",)))
    kinds = ["bsn", "iban", "email", "phone", "postcode", "kvk", "btw", "licence-plate", "date-of-birth", "payment-card"]
    counts = {k: [0, 0, 0] for k in kinds}
    texts = 0
    for line in open(path, encoding="utf-8"):
        item = json.loads(line)
        texts += 1
        # Presidio reports character offsets; the set's spans are UTF-8 byte offsets.
        text = item["text"]
        b2c = {}
        pos = 0
        for i, ch in enumerate(text):
            b2c[pos] = i
            pos += len(ch.encode("utf-8"))
        b2c[pos] = len(text)
        spans = [(s["kind"], b2c[s["start"]], b2c[s["end"]]) for s in item["spans"]]
        matched = [False] * len(spans)
        for r in analyzer.analyze(text=text, language="en", entities=list(MAP)):
            kind = MAP.get(r.entity_type)
            if kind is None:
                continue
            hit = next((i for i, (k, s, e) in enumerate(spans) if not matched[i] and k == kind and r.start < e and s < r.end), None)
            if hit is None:
                counts[kind][1] += 1
            else:
                matched[hit] = True
                counts[kind][0] += 1
        for i, (k, _, _) in enumerate(spans):
            if not matched[i]:
                counts[k][2] += 1
    print(f"Presidio on {texts} texts (every finding, as its default threshold 0 reports)")
    print(f"{'kind':<15} {'values':>6} {'fp':>5} {'fn':>5} {'precision':>10} {'recall':>8}")
    for k in kinds:
        tp, fp, fn = counts[k]
        p = f"{100 * tp / (tp + fp):.1f}%" if tp + fp else "–"
        r = f"{100 * tp / (tp + fn):.1f}%" if tp + fn else "–"
        print(f"{k:<15} {tp + fn:>6} {fp:>5} {fn:>5} {p:>10} {r:>8}")


if __name__ == "__main__":
    main(sys.argv[1])
