// Parse an .ics file with ical.js (the parser in Thunderbird) and print what a
// client would show, as JSON. Times are computed with the file's own VTIMEZONE,
// registered here, so a wrong VTIMEZONE gives wrong UTC times.
// Usage: node parse_ics.mjs FILE
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(process.argv[2], "utf8");
const calendar = new ICAL.Component(ICAL.parse(text));
if (calendar.name !== "vcalendar") throw new Error("not a VCALENDAR");

for (const vtz of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtz);
}

const utc = (time) => time.toJSDate().toISOString();
const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  return {
    uid: event.uid,
    summary: event.summary,
    description: event.description,
    location: event.location,
    sequence: event.sequence,
    status: vevent.getFirstPropertyValue("status"),
    start_utc: utc(event.startDate),
    end_utc: utc(event.endDate),
    start_zone: event.startDate.zone ? event.startDate.zone.tzid : null,
    categories: vevent.getAllProperties("categories").flatMap((p) => p.getValues()),
    attendees: vevent.getAllProperties("attendee").map((p) => p.getFirstValue()),
    organizer: vevent.getFirstPropertyValue("organizer"),
  };
});

console.log(JSON.stringify({
  method: calendar.getFirstPropertyValue("method"),
  name: calendar.getFirstPropertyValue("name"),
  x_wr_calname: calendar.getFirstPropertyValue("x-wr-calname"),
  timezones: calendar.getAllSubcomponents("vtimezone").map((tz) => tz.getFirstPropertyValue("tzid")),
  events,
}));
