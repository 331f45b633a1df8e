"""What the compiler says when a model uses Vensim it does not cover (importable without PySD)."""
from __future__ import annotations


class UnsupportedConstruct(ValueError):
    """The ``.mdl`` uses Vensim syntax the compiled engine does not cover; the message names the variable
    and the construct.  Runs then go through PySD."""
