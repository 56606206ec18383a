"""The numpy all-MiniLM-L6-v2 encoder: tokenizer, input stages, contextual and sentence vectors."""
