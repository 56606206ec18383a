"""Reading and writing: vector formats (``formats/``, one module per format), uploaded text and CSV
(``text``, the one reader corpora and documents share), corpora (``corpus``, ``archive`` for zips,
``builtin_corpora``), documents, built-in sources, the workspace, the disk cache."""
