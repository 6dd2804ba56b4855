"""Shared tooling for the course book: data loading, chapter set-up and MCMC helpers."""
