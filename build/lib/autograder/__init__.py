"""Autograder for the course: release, sandboxed grading, feedback and grades."""
