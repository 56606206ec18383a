"""Training word2vec / fastText on a corpus (gensim), in a thread or a process of its own."""
