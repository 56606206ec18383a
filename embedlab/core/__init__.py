"""The core: the EmbeddingSet type, exact search kernels, errors and linear-algebra helpers.

Imports nothing else of embedlab."""
