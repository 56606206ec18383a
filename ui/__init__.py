"""Streamlit glue shared by the pages: set-up, cached wrappers around embedlab, the set picker."""
