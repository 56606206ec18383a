"""Reading and writing: vector formats, corpora, documents, built-in sources, the workspace, the disk cache."""
