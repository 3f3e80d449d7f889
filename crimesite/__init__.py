"""Build a crime-data transparency site from police department CSV files."""
