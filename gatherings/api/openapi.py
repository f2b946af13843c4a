"""OpenAPI 3.1 description of the public API."""
_seats = {
    "type": "object",
    "required": ["capacity", "confirmed", "waitlisted", "seats_left"],
    "properties": {k: {"type": "integer", "minimum": 0} for k in ("capacity", "confirmed", "waitlisted", "seats_left")},
}
_nullable_time = {"type": ["string", "null"], "format": "date-time"}
_time = {"type": "string", "format": "date-time"}

WORKSHOP = {
    "type": "object",
    "required": ["id", "title", "room", "capacity", "confirmed", "waitlisted", "seats_left"],
    "properties": {
        "id": {"type": "integer", "minimum": 1, "description": "the value of the form's round_<part id> choice"},
        "title": {"type": "string"},
        "room": {"type": "string"},
        **_seats["properties"],
    },
}
PART = {
    "type": "object",
    "description": "a plenary part (everyone), or a round of parallel workshops, which also has workshops",
    "required": ["id", "kind", "title", "starts_at", "ends_at"],
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        "kind": {"type": "string", "enum": ["plenary", "round"]},
        "title": {"type": "string"},
        "starts_at": _time,
        "ends_at": _time,
        "workshops": {"type": "array", "items": {"$ref": "#/components/schemas/Workshop"}},
    },
    # A round has workshops, a plenary part has none.
    "if": {"properties": {"kind": {"const": "round"}}},
    "then": {"required": ["workshops"]},
    "else": {"not": {"required": ["workshops"]}},
}

GATHERING = {
    "type": "object",
    "required": ["slug", "title", "kind", "theme", "starts_at", "ends_at", "url", "ics_url", "status",
                 "registration_open", "capacity", "confirmed", "waitlisted", "seats_left", "programme"],
    "properties": {
        "slug": {"type": "string"},
        "title": {"type": "string"},
        "kind": {"type": "string", "enum": ["theme", "national", "mixed"]},
        "theme": {"type": ["string", "null"], "description": "slug of the theme"},
        "description": {"type": "string"},
        "starts_at": {"type": "string", "format": "date-time"},
        "ends_at": {"type": "string", "format": "date-time"},
        "venue": {"type": "object", "properties": {k: {"type": "string"} for k in ("name", "address", "city")}},
        "online": {"type": "boolean"},
        "accessibility": {"type": "string"},
        "host": {"type": ["string", "null"]},
        "url": {"type": "string", "format": "uri"},
        "ics_url": {"type": "string", "format": "uri"},
        "status": {"type": "string", "enum": ["published", "cancelled"]},
        "registration_open": {"type": "boolean"},
        "registration_opens_at": _nullable_time,
        "registration_closes_at": _nullable_time,
        "capacity": {"type": "integer", "minimum": 0},
        "confirmed": {"type": "integer", "minimum": 0,
                      "description": "people with a seat; a participant with a companion counts two"},
        "waitlisted": {"type": "integer", "minimum": 0,
                       "description": "people waiting; a participant with a companion counts two"},
        "seats_left": {"type": "integer", "minimum": 0, "description": "seats free, in people"},
        "allotments": {
            "type": "object",
            "description": "only for kind mixed: seats per perspective group",
            "required": ["lived", "relatives", "professionals"],
            "properties": {g: _seats for g in ("lived", "relatives", "professionals")},
        },
        "programme": {
            "type": "array", "items": {"$ref": "#/components/schemas/ProgrammePart"},
            "description": "the parts in time order; empty when the gathering has no programme",
        },
    },
}
MAX_QUERY = 100
_filters = [
    {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["theme", "national", "mixed"]}},
    {"name": "theme", "in": "query", "schema": {"type": "string"}, "description": "theme slug"},
    {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": MAX_QUERY},
     "description": "words in the title, description or city"},
    {"name": "city", "in": "query", "schema": {"type": "string", "maxLength": 120},
     "description": "the venue's city, exactly as in venue.city"},
    {"name": "online", "in": "query", "schema": {"type": "boolean"},
     "description": "true: only gatherings with an online address; false: only those without"},
    {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"},
     "description": "only gatherings starting on or after this day (Europe/Amsterdam)"},
    {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"},
     "description": "only gatherings starting on or before this day (Europe/Amsterdam)"},
]
_error = {"type": "object", "required": ["error", "status"],
          "properties": {"error": {"type": "string"}, "status": {"type": "integer"}}}
_bad_request = {"description": "a filter outside what is described here, or a NUL character",
                "content": {"application/json": {"schema": _error}}}

SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "Gatherings public API", "version": "1.0.0",
             "description": "Read-only: published and cancelled upcoming gatherings, with seat counts "
                            "and their programmes."},
    "paths": {
        "/api/v1/gatherings": {"get": {
            "summary": "Upcoming gatherings", "operationId": "listGatherings", "parameters": _filters,
            "responses": {"200": {"description": "the list", "content": {"application/json": {"schema": {
                "type": "object", "required": ["gatherings"],
                "properties": {"gatherings": {"type": "array", "items": {"$ref": "#/components/schemas/Gathering"}}},
            }}}}, "400": _bad_request},
        }},
        "/api/v1/gatherings/{slug}": {"get": {
            "summary": "One gathering", "operationId": "getGathering",
            "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {
                "200": {"description": "the gathering", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Gathering"}}}},
                "400": _bad_request,
                "404": {"description": "no such published gathering", "content": {"application/json": {
                    "schema": _error}}},
            },
        }},
    },
    "components": {"schemas": {"Gathering": GATHERING, "ProgrammePart": PART, "Workshop": WORKSHOP}},
}
