"""Data for the lesson pages (one-hot vs dense, ...)."""
