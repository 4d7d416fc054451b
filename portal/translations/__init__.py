"""The portal's languages: the message catalogs (de/, en/), the tool that keeps them in step with
the code (catalogs.py, `python -m portal.translations`), the words for stored codes (labels.py)
and the translation of domain Messages at request time (runtime.py)."""
