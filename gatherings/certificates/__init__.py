"""Certificates of attendance for checked-in participants, and the page where anyone can verify one."""
