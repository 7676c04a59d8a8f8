"""The calendar as others read it: iCalendar feeds, the wording of a session's date and time,
and attendee lists for registers and room bookings."""
