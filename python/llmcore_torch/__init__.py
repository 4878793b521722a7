"""llmcore_torch: PyTorch twins of llmcore's models, reading and writing llmcore model directories
as they are, and the reader of `llmcore data tokenize` files. See python/README.md."""
from .modeldir import load, save, build, kind_of  # noqa: F401
from .translator import Seq2SeqTransformer  # noqa: F401
from .lm import WordLM  # noqa: F401
from .gpt import GptModel  # noqa: F401
