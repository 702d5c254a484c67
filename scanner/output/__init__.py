"""Writers of the run folder's derived files: CSV exports and, later, the rendered reports."""
