"""Views for people: dated periods, the timeline (SVG, text), the
organisation chart on a date, and everything about one thing (describe)."""
