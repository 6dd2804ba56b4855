"""Grading tools: posterior checks against expected ranges, the grader command, the student release."""
