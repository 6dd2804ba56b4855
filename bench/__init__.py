"""Benchmark of the course's grading and chapter execution, with PyMC fitting the same models as a peer."""
