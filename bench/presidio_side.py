"""Presidio's analyzer on texts read from stdin, for ``detect_throughput.py``; runs in the bench venv.

Reads ``{"throughput": [...], "corpus": [...], "threshold": 0.4}`` as JSON and writes
``{"cpu_seconds", "bytes", "entities", "recognizers", "nlp"}``: CPU time of this process over
the throughput texts, and for each corpus text the entity types Presidio found at or above the
score threshold. No spaCy model can be had here (no network; the official model packages are not
on PyPI, only third-party re-uploads, which we do not install), so
Presidio runs with a blank English spaCy pipeline: its pattern and checksum recognizers work,
its NER (PERSON, LOCATION) finds nothing. This is Presidio's fast configuration, not its best.
    .venv-bench/bin/python bench/presidio_side.py < texts.json
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
import time


def analyzer():
    """An AnalyzerEngine on a blank English pipeline with every predefined English recognizer."""
    import spacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    folder = tempfile.mkdtemp(prefix="presidio-blank-")
    spacy.blank("en").to_disk(folder)
    engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": folder}])
    engine.load()
    registry = RecognizerRegistry()
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=engine)
    return AnalyzerEngine(nlp_engine=engine, registry=registry, supported_languages=["en"]), registry


def main() -> None:
    logging.disable(logging.WARNING)  # tldextract cannot fetch its suffix list offline and says so at length
    request = json.load(sys.stdin)
    engine, registry = analyzer()
    threshold = request.get("threshold", 0.4)
    engine.analyze(text=request["throughput"][0], language="en")  # warm-up
    started = time.process_time()
    for text in request["throughput"]:
        engine.analyze(text=text, language="en", score_threshold=threshold)
    seconds = time.process_time() - started
    entities = [sorted({r.entity_type for r in engine.analyze(text=text, language="en", score_threshold=threshold)})
                for text in request["corpus"]]
    json.dump({"cpu_seconds": seconds, "bytes": sum(len(t.encode()) for t in request["throughput"]),
               "entities": entities, "recognizers": sorted({r.name for r in registry.recognizers}),
               "nlp": "blank English spaCy pipeline (no model available): pattern recognizers only"}, sys.stdout)


if __name__ == "__main__":
    main()
