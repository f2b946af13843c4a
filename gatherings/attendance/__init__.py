"""Attendance: an organiser's view of the people registered for their gathering.

Registrations and waiting list, check-in at the door, exports (with an audit
log), messages to the registrants, a dashboard and aggregate reports.
"""
